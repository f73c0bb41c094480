#pragma once
// Reading a file a person hands us, with a ceiling. A path given on the
// command line may be anything: /dev/zero never ends, a named pipe blocks
// the open until someone writes, a 5 GB file is surely not a label file. So
// the file must be a regular file (a link to one is fine), and at most
// `limit` bytes are ever read. Header-only: private to the oracle library.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace al::oracle_detail {

enum class read_problem {
  none,
  missing,        ///< no such file
  dangling_link,  ///< a symbolic link to nothing
  folder,         ///< a directory (or a link to one)
  not_regular,    ///< a device, a named pipe, a socket: `detail` says which
  unreadable,     ///< open or read failed: `detail` is the system's reason
  too_large,      ///< more than `limit` bytes
};

struct read_result {
  std::string content;
  read_problem problem = read_problem::none;
  std::string detail;
};

/// "a character device (such as /dev/zero)": what a non-regular file is, for messages.
inline std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device (such as /dev/zero), not a file";
  if (S_ISBLK(mode)) return "a block device (a disk), not a file";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO), not a file";
  if (S_ISSOCK(mode)) return "a socket, not a file";
  return "not a regular file";
}

/// Opens `file` for reading if it is a regular file; returns the descriptor,
/// or -1 with `result.problem` set. O_NONBLOCK: opening a named pipe with no
/// writer returns at once instead of waiting for one (it does not change how
/// a regular file reads).
inline int open_regular_file(const std::filesystem::path& file, read_result& result) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int error_number = errno;
    struct stat link {};
    if (error_number == ENOENT && ::lstat(file.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
      result.problem = read_problem::dangling_link;
    } else if (error_number == ENOENT || error_number == ENOTDIR) {
      result.problem = read_problem::missing;
    } else {
      result.problem = read_problem::unreadable;
      result.detail = std::strerror(error_number);
    }
    return -1;
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    result.problem = read_problem::unreadable;
    result.detail = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  if (!S_ISREG(status.st_mode)) {
    result.problem = S_ISDIR(status.st_mode) ? read_problem::folder : read_problem::not_regular;
    result.detail = file_kind(status.st_mode);
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Reads `file` whole when it is a regular file of at most `limit` bytes.
/// Never reads more than limit + 1 bytes, even from a file that grows while
/// it is read (or one, like those under /proc, whose size says 0).
inline read_result read_file_bounded(const std::filesystem::path& file, std::size_t limit) {
  read_result result;
  const int fd = open_regular_file(file, result);
  if (fd < 0) return result;
  struct stat status {};
  if (::fstat(fd, &status) == 0 && static_cast<unsigned long long>(status.st_size) > limit) {
    ::close(fd);
    result.problem = read_problem::too_large;
    return result;
  }
  std::string content(static_cast<std::size_t>(status.st_size) + 1, '\0');
  std::size_t used = 0;
  while (true) {
    if (used == content.size()) {
      if (content.size() > limit) break;
      content.resize(std::min(limit + 1, std::max<std::size_t>(4096, content.size() * 2)));
    }
    const ssize_t got = ::read(fd, content.data() + used, content.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      result.problem = read_problem::unreadable;
      result.detail = std::strerror(errno);
      ::close(fd);
      return result;
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  ::close(fd);
  if (used > limit) {
    result.problem = read_problem::too_large;
    return result;
  }
  content.resize(used);
  result.content = std::move(content);
  return result;
}

/// "1.0 MiB", "4.0 KiB", "300 bytes": a size as a person reads it.
inline std::string readable_size(std::size_t bytes) {
  constexpr double kib = 1024, mib = kib * 1024;
  if (bytes >= mib) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / mib);
  if (bytes >= kib) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / kib);
  return fmt::format("{} bytes", bytes);
}

}  // namespace al::oracle_detail
