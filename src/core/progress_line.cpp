#include "progress_line.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>

namespace al::engine {
namespace {

std::string duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

}  // namespace

progress_line::progress_line(std::string run_name, int first_cycle, int last_cycle, bool quiet)
    : run_name_(std::move(run_name)),
      first_cycle_(first_cycle),
      last_cycle_(last_cycle),
      quiet_(quiet),
      terminal_(::isatty(::fileno(stdout)) != 0) {}

void progress_line::phase(int cycle, std::string_view phase) {
  cycle_ = cycle;
  phase_ = phase;
  epoch_ = epochs_ = 0;
  redraw();
}

void progress_line::epoch(std::int64_t epoch, std::int64_t epochs) {
  epoch_ = epoch;
  epochs_ = epochs;
  redraw();
}

std::string progress_line::eta() const {
  // Whole cycles are the unit: their cost grows slowly with the labels, so
  // the mean so far is a fair guess for the rest.
  if (cycles_done_ == 0) return "ETA after the first cycle";
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const int left = last_cycle_ - first_cycle_ + 1 - cycles_done_;
  return fmt::format("ETA {}", duration(elapsed / cycles_done_ * left));
}

void progress_line::redraw() {
  if (quiet_ || !terminal_) return;
  std::string line = fmt::format("[{}] cycle {}/{} · {}", run_name_, cycle_, last_cycle_, phase_);
  if (epochs_ > 0) line += fmt::format(" epoch {}/{}", epoch_, epochs_);
  line += " · " + eta();
  // \r and "erase to the end of the line": the line is redrawn in place.
  fmt::print("\r\033[K{}", line);
  std::fflush(stdout);
  drawn_ = true;
}

void progress_line::cycle_done(const std::string& line) {
  ++cycles_done_;
  note(line);
}

void progress_line::note(const std::string& line) {
  if (quiet_) return;
  if (drawn_) fmt::print("\r\033[K");
  drawn_ = false;
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

}  // namespace al::engine
