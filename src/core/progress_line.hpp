#pragma once
// What a run is doing right now. On a terminal: one line, redrawn in place,
// naming the run, the cycle, the phase, the epoch and the time left. In a log
// (stdout not a terminal): nothing until a cycle ends, then one plain line,
// so that logs stay readable and diffable.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace al::engine {

class progress_line {
 public:
  /// `first_cycle` … `last_cycle`: the cycles this call will run (those a
  /// resumed run had finished are left out); `quiet`: print nothing at all.
  progress_line(std::string run_name, int first_cycle, int last_cycle, bool quiet);

  /// The run entered `phase` ("score", "select", "train", "evaluate") of `cycle`.
  void phase(int cycle, std::string_view phase);
  /// Training finished epoch `epoch` of `epochs`.
  void epoch(std::int64_t epoch, std::int64_t epochs);
  /// A cycle ended: its permanent line (on a terminal it replaces the live one).
  void cycle_done(const std::string& line);
  /// A line that is not about progress (a warning, the run stopping).
  void note(const std::string& line);

 private:
  void redraw();
  [[nodiscard]] std::string eta() const;

  std::string run_name_;
  int first_cycle_, last_cycle_;
  bool quiet_;
  bool terminal_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  int cycle_ = 0;
  int cycles_done_ = 0;
  std::string phase_;
  std::int64_t epoch_ = 0, epochs_ = 0;
  bool drawn_ = false;  // a live line is on screen
};

}  // namespace al::engine
