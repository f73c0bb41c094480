#pragma once
// Tests of reads that could hang (/dev/zero, a named pipe) must not hang the
// test run when the code under test regresses: the read runs in a child
// process, which is killed when it outlives its deadline.

#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace al::test {

/// Runs `work` in a child process. Returns "returned", or "threw: " and the
/// exception's what(); nothing when the child was still running after
/// `deadline` (it is killed then).
template <class Work>
std::optional<std::string> outcome_within(std::chrono::milliseconds deadline, Work work) {
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) return std::string("pipe() failed");
  const pid_t child = ::fork();
  if (child < 0) return std::string("fork() failed");
  if (child == 0) {
    ::close(pipe_ends[0]);
    std::string message = "returned";
    try {
      work();
    } catch (const std::exception& e) {
      message = std::string("threw: ") + e.what();
    }
    // Less than a pipe's buffer, so that the write cannot block.
    if (message.size() > 32768) message.resize(32768);
    [[maybe_unused]] const auto written = ::write(pipe_ends[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(pipe_ends[1]);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (::waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - start > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      ::close(pipe_ends[0]);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::string message;
  char buffer[4096];
  for (ssize_t got; (got = ::read(pipe_ends[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<std::size_t>(got));
  ::close(pipe_ends[0]);
  return message;
}

}  // namespace al::test
