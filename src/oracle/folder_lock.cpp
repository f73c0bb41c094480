#include "folder_lock.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace al::oracle_detail {
namespace {

/// Who holds the lock, as the holder wrote it into the file.
std::string holder_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line.empty() ? std::string("a process that has not said which yet") : line;
}

std::string this_process() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char when[32] = {};
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return fmt::format("process {} on {}, since {}", ::getpid(), host, when);
}

}  // namespace

folder_lock::folder_lock(std::filesystem::path lock_file, std::string what, when_held mode,
                         std::string_view what_to_do)
    : file_(std::move(lock_file)) {
  descriptor_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (descriptor_ < 0) {
    throw std::runtime_error(fmt::format("cannot open the lock file {} ({}); check that {} is "
                                         "writable",
                                         file_.string(), std::strerror(errno), what));
  }
  const int operation = mode == when_held::wait ? LOCK_EX : LOCK_EX | LOCK_NB;
  int result = 0;
  do {
    result = ::flock(descriptor_, operation);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    const int error = errno;
    ::close(descriptor_);
    descriptor_ = -1;
    if (error == EWOULDBLOCK) {
      throw folder_in_use(fmt::format(
          "{} is in use by another alpipe process ({}); one process at a time works in it: wait "
          "for that one to finish{}",
          what, holder_of(file_), what_to_do));
    }
    throw std::runtime_error(fmt::format("cannot lock {} ({}); its file system may not support "
                                         "flock (see docs/results-folder.md)",
                                         file_.string(), std::strerror(error)));
  }
  // Say who holds it, for the message another process shows.
  const auto who = this_process() + "\n";
  if (::ftruncate(descriptor_, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(descriptor_, who.data(), who.size(), 0);
  }
}

folder_lock::~folder_lock() {
  if (descriptor_ < 0) return;
  // The file stays: removing it would let a third process lock a new file
  // while a second still waits on the old one.
  [[maybe_unused]] const int truncated = ::ftruncate(descriptor_, 0);
  ::flock(descriptor_, LOCK_UN);
  ::close(descriptor_);
}

}  // namespace al::oracle_detail
