// IDX files (the format of MNIST and Fashion-MNIST), raw or gzip-compressed.
// zlib's gzread reads both transparently; the gzip magic is still sniffed so
// that error messages can say which kind of file failed.

#include <zlib.h>

#include "quoted_path.hpp"

#include <al/engine/dataset.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace al::engine {
namespace {

constexpr std::uint32_t idx_images_magic = 0x00000803;  // uint8, 3 dimensions
constexpr std::uint32_t idx_labels_magic = 0x00000801;  // uint8, 1 dimension

using detail::quoted;

std::string hex_magic(std::uint32_t magic) {
  std::ostringstream text;
  text << "0x" << std::hex;
  text.width(8);
  text.fill('0');
  text << magic;
  return text.str();
}

std::string describe_magic(std::uint32_t magic) {
  if (magic == idx_images_magic) return hex_magic(magic) + " (an IDX image file)";
  if (magic == idx_labels_magic) return hex_magic(magic) + " (an IDX label file)";
  return hex_magic(magic);
}

bool starts_with_gzip_magic(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::array<unsigned char, 2> first{};
  stream.read(reinterpret_cast<char*>(first.data()), first.size());
  return stream.gcount() == 2 && first[0] == 0x1f && first[1] == 0x8b;
}

struct gz_closer {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using gz_handle = std::unique_ptr<gzFile_s, gz_closer>;

/// An open IDX file, positioned after whatever has been read so far.
class idx_reader {
 public:
  explicit idx_reader(std::filesystem::path file) : file_(std::move(file)) {
    std::error_code error;
    if (!std::filesystem::exists(file_, error)) {
      throw data_error(
          quoted(file_) +
          " not found; install Debian's dataset-fashion-mnist (tools/setup does) or set "
          "ALPIPE_DATA / config.data.folder to a folder with the IDX files");
    }
    if (!std::filesystem::is_regular_file(file_, error)) {
      throw data_error(quoted(file_) +
                       " is not a regular file; point ALPIPE_DATA / "
                       "config.data.folder to the folder with the IDX files");
    }
    compressed_ = starts_with_gzip_magic(file_);
    errno = 0;
    handle_.reset(gzopen(file_.c_str(), "rb"));
    if (!handle_) {
      const int saved = errno;
      throw data_error("cannot open " + quoted(file_) + ": " +
                       (saved != 0 ? std::strerror(saved) : "out of memory") +
                       "; check its permissions");
    }
  }

  /// Reads the magic and the dimensions, checking the magic against `expected`.
  std::vector<std::uint32_t> read_header(std::uint32_t expected, const char* kind) {
    const std::uint32_t magic = read_big_endian_u32("magic number");
    if (magic != expected) {
      throw data_error(quoted(file_) + ": expected IDX magic " + hex_magic(expected) + " (" + kind +
                       "), found " + describe_magic(magic) + "; is this an IDX " + kind + "?");
    }
    // The low byte of the magic is the number of dimensions.
    std::vector<std::uint32_t> dimensions(expected & 0xffu);
    for (auto& dimension : dimensions) dimension = read_big_endian_u32("dimensions");
    return dimensions;
  }

  /// Fills `size` bytes at `destination`, or throws naming how many were there.
  void read_payload(void* destination, std::int64_t size, const char* what) {
    const std::int64_t found = read_up_to(destination, size);
    if (found != size) {
      throw data_error(quoted(file_) + ": expected " + std::to_string(size) + " bytes of " + what +
                       ", found " + std::to_string(found) +
                       (compressed_ ? " after decompression" : "") +
                       "; file truncated, re-download/reinstall it");
    }
  }

  /// Throws when the file goes on after what its header announced: a
  /// file with data to spare is not the one the header describes.
  void expect_end(const char* what) {
    unsigned char extra[4096];
    std::int64_t more = 0;
    for (std::int64_t got; (got = read_up_to(extra, sizeof extra)) > 0;) more += got;
    if (more > 0) {
      throw data_error(quoted(file_) + ": " + std::to_string(more) +
                       (more == 1 ? " byte follows the " : " bytes follow the ") + what +
                       " its header announces" + (compressed_ ? " (after decompression)" : "") +
                       "; the file is damaged or its header wrong, re-download/reinstall it");
    }
  }

  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  std::uint32_t read_big_endian_u32(const char* what) {
    std::array<unsigned char, 4> bytes{};
    if (read_up_to(bytes.data(), bytes.size()) != static_cast<std::int64_t>(bytes.size())) {
      throw data_error(quoted(file_) + ": header ends before its " + what +
                       "; file truncated or not an IDX file, re-download/reinstall it");
    }
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
           (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
  }

  // gzread takes an unsigned length, so large payloads are read in chunks.
  std::int64_t read_up_to(void* destination, std::int64_t size) {
    auto* cursor = static_cast<unsigned char*>(destination);
    std::int64_t total = 0;
    while (total < size) {
      const auto chunk =
          static_cast<unsigned>(std::min<std::int64_t>(size - total, std::int64_t{1} << 30));
      const int got = gzread(handle_.get(), cursor + total, chunk);
      if (got < 0) {
        int code = Z_OK;
        const char* message = gzerror(handle_.get(), &code);
        throw data_error("cannot read " + quoted(file_) + ": " +
                         (code == Z_ERRNO ? std::strerror(errno) : message) +
                         (compressed_ ? "; the gzip data is corrupt, re-download/reinstall it"
                                      : "; re-download/reinstall it"));
      }
      if (got == 0) break;
      total += got;
    }
    return total;
  }

  std::filesystem::path file_;
  gz_handle handle_;
  bool compressed_ = false;
};

std::int64_t checked_product(const std::vector<std::uint32_t>& dimensions,
                             const std::filesystem::path& file) {
  std::int64_t product = 1;
  for (const auto dimension : dimensions) {
    // Real IDX files are far below this; a larger product means a garbled header.
    if (dimension != 0 && product > (std::int64_t{1} << 40) / dimension) {
      throw data_error(quoted(file) +
                       ": header dimensions are implausibly large; "
                       "the file is corrupt, re-download/reinstall it");
    }
    product *= dimension;
  }
  return product;
}

}  // namespace

torch::Tensor read_idx_images(const std::filesystem::path& file) {
  idx_reader reader(file);
  const auto dimensions = reader.read_header(idx_images_magic, "image file");
  // An image has at least one row and one column; a count of 0 images is
  // allowed here and refused by whoever needs images (load_dataset).
  if (dimensions[1] == 0 || dimensions[2] == 0) {
    throw data_error(quoted(file) + ": its header gives images of " +
                     std::to_string(dimensions[1]) + " rows and " + std::to_string(dimensions[2]) +
                     " columns; an image needs at least one of each, the file is damaged, "
                     "re-download/reinstall it");
  }
  const std::int64_t bytes = checked_product(dimensions, file);
  auto images = torch::empty({dimensions[0], 1, dimensions[1], dimensions[2]}, torch::kUInt8);
  reader.read_payload(images.data_ptr<std::uint8_t>(), bytes, "pixel data");
  reader.expect_end("pixel data");
  return images;
}

torch::Tensor read_idx_labels(const std::filesystem::path& file) {
  idx_reader reader(file);
  const auto dimensions = reader.read_header(idx_labels_magic, "label file");
  const std::int64_t count = checked_product(dimensions, file);
  auto labels = torch::empty({count}, torch::kUInt8);
  reader.read_payload(labels.data_ptr<std::uint8_t>(), count, "label data");
  reader.expect_end("label data");
  return labels.to(torch::kInt64);
}

}  // namespace al::engine
