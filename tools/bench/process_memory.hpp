#pragma once
// The benchmarks' memory figures, read from Linux's /proc/self/status:
//
//   const auto before = status_mib("VmRSS:");
//   reset_peak();
//   run_the_thing();
//   fmt::print("peak +{:.0f} MiB\n", status_mib("VmHWM:") - before);

#include <fstream>
#include <string>
#include <string_view>

namespace al::bench {

/// A field of /proc/self/status in MiB: "VmRSS:" now, "VmHWM:" the peak.
inline double status_mib(std::string_view field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(field.size())) / 1024.0;
  }
  return 0;
}

/// Starts a new peak: Linux resets VmHWM to the current VmRSS on "5".
inline void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

}  // namespace al::bench
