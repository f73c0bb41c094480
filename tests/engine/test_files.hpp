#pragma once
// Test data on disk: a scratch folder per test and IDX files (the MNIST
// format) made from bytes, so tests never need a downloaded data set.

#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace al_test {

namespace fs = std::filesystem;

/// A folder of its own for each test, removed afterwards.
class temp_folder {
 public:
  temp_folder() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("alpipe-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~temp_folder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;

  [[nodiscard]] const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

/// A fixed folder `alpipe-<test>-test-<name>` under the temporary directory,
/// emptied first and kept afterwards: for tests whose runs must find the
/// same folder again (a resumed run), and whose results are worth a look
/// when they fail.
inline fs::path named_scratch_folder(const std::string& test, const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("alpipe-" + test + "-test-" + name);
  fs::remove_all(dir);
  return dir;
}

#ifdef ALPIPE_CLI
/// Runs the alpipe command in a child process and returns its pid (not
/// waited for). Its output is dropped, or its stderr kept in `stderr_file`:
/// it would interleave with the test's.
inline pid_t start_cli(const std::vector<std::string>& arguments,
                       const fs::path& stderr_file = {}) {
  std::fflush(stdout);  // or the child would print the test's buffered output again
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(ALPIPE_CLI)};
    for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::freopen("/dev/null", "w", stdout);
    if (!stderr_file.empty()) std::freopen(stderr_file.c_str(), "w", stderr);
    execv(ALPIPE_CLI, argv.data());
    _exit(127);
  }
  return pid;
}
#endif

using bytes = std::vector<std::uint8_t>;

inline void append_big_endian(bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}

inline bytes idx_images_bytes(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                       const bytes& pixels) {
  bytes out;
  append_big_endian(out, 0x00000803);
  append_big_endian(out, count);
  append_big_endian(out, rows);
  append_big_endian(out, cols);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

inline bytes idx_labels_bytes(std::uint32_t count, const bytes& labels) {
  bytes out;
  append_big_endian(out, 0x00000801);
  append_big_endian(out, count);
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

inline void write_raw(const fs::path& file, const bytes& content) {
  std::ofstream stream(file, std::ios::binary);
  stream.write(reinterpret_cast<const char*>(content.data()),
               static_cast<std::streamsize>(content.size()));
  REQUIRE(stream.good());
}

/// A tiny image data set in the MNIST layout: `per_class` training and
/// `test_per_class` test images of 28×28 for each of `classes` classes. Class
/// c is a bright bar at its own height over a faint noise background, so a
/// small CNN learns it from a few labels.
inline void write_tiny_image_folder(const fs::path& folder, std::uint32_t classes,
                                    std::uint32_t per_class, std::uint32_t test_per_class) {
  constexpr std::uint32_t side = 28;
  auto make = [&](std::uint32_t count_per_class, std::uint32_t salt, bytes& pixels,
                  bytes& labels) {
    std::uint32_t state = 12345 + salt;
    for (std::uint32_t i = 0; i < classes * count_per_class; ++i) {
      const auto c = i % classes;
      labels.push_back(static_cast<std::uint8_t>(c));
      const auto bar = 2 + c * (side - 6) / classes;
      for (std::uint32_t y = 0; y < side; ++y) {
        for (std::uint32_t x = 0; x < side; ++x) {
          state = state * 1664525u + 1013904223u;
          const auto noise = static_cast<std::uint8_t>(state >> 27);  // 0..31
          const bool on_bar = y >= bar && y < bar + 3 && x >= 4 && x < side - 4;
          pixels.push_back(static_cast<std::uint8_t>(on_bar ? 200 + noise : noise));
        }
      }
    }
  };
  bytes train_pixels, train_labels, test_pixels, test_labels;
  make(per_class, 0, train_pixels, train_labels);
  make(test_per_class, 1, test_pixels, test_labels);
  fs::create_directories(folder);
  const auto train_count = static_cast<std::uint32_t>(train_labels.size());
  const auto test_count = static_cast<std::uint32_t>(test_labels.size());
  write_raw(folder / "train-images-idx3-ubyte", idx_images_bytes(train_count, side, side, train_pixels));
  write_raw(folder / "train-labels-idx1-ubyte", idx_labels_bytes(train_count, train_labels));
  write_raw(folder / "t10k-images-idx3-ubyte", idx_images_bytes(test_count, side, side, test_pixels));
  write_raw(folder / "t10k-labels-idx1-ubyte", idx_labels_bytes(test_count, test_labels));
}

}  // namespace al_test
