#include "atomic_file.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

namespace al::experiment {

void write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  auto temporary = target;
  temporary += ".tmp";
  const auto fail = [&](const std::filesystem::path& file) {
    return std::runtime_error(fmt::format(
        "cannot write {}; check that the comparison folder is writable and the disk not full",
        file.string()));
  };
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw fail(temporary);
  }
  // Without the sync a crash after the rename can leave an empty file.
  if (const int fd = ::open(temporary.c_str(), O_RDONLY); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::error_code error;
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw fail(target);
  }
}

}  // namespace al::experiment
