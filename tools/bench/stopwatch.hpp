#pragma once
// The benchmarks' one clock: wall time on a steady clock, in seconds.
//
//   const auto start = clock_type::now();
//   run_the_thing();
//   fmt::print("{:.2f} s\n", seconds_since(start));

#include <chrono>

namespace al::bench {

using clock_type = std::chrono::steady_clock;

/// Seconds from `start` to now.
inline double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

}  // namespace al::bench
