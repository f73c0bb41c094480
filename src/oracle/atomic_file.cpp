#include "atomic_file.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace al::oracle_detail {
namespace {

std::runtime_error write_error(const std::filesystem::path& file, std::string_view what,
                               int error_number) {
  return std::runtime_error(fmt::format(
      "cannot {} {}: {}; check that the folder exists, is writable and the disk is not full",
      what, file.string(), std::strerror(error_number)));
}

// POSIX calls rather than std::ofstream: the data must reach the disk
// (fsync) before the rename makes it visible, and ofstream cannot fsync.
void write_all(int fd, std::string_view content, const std::filesystem::path& temporary) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw write_error(temporary, "write", errno);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

/// Makes the rename itself durable: on Linux a rename reaches the disk only
/// when its folder is synced, so a power cut could otherwise bring back the
/// old file (or none) after write_file_atomically returned.
void sync_folder(const std::filesystem::path& folder) {
  const auto path = folder.empty() ? std::filesystem::path(".") : folder;
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw write_error(path, "open folder", errno);
  const int result = ::fsync(fd);
  const int error_number = errno;
  ::close(fd);
  // Some file systems cannot sync a folder (EINVAL): the rename is then as
  // durable as they make it.
  if (result != 0 && error_number != EINVAL) throw write_error(path, "flush folder", error_number);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  // The process id keeps two writers of the same file from sharing a
  // temporary; the leading dot hides it from a person browsing the folder.
  auto temporary = target.parent_path() /
                   fmt::format(".{}.{}.tmp", target.filename().string(), ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw write_error(temporary, "create", errno);
  try {
    write_all(fd, content, temporary);
    if (::fsync(fd) != 0) throw write_error(temporary, "flush", errno);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    throw write_error(temporary, "close", error_number);
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    throw write_error(target, "replace", error_number);
  }
  sync_folder(target.parent_path());
}

}  // namespace al::oracle_detail
