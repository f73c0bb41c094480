#pragma once
// A run's results folder: what was run (plan, config, versions) and one JSON
// line per finished cycle, written as the cycle ends so a crash loses no
// finished cycle.

#include <al/config.hpp>
#include <al/plan.hpp>
#include <al/report.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace al::engine {

/// Writes `content` to a temporary file beside `target`, syncs it, then
/// renames it: a reader (or a run after a crash) sees the old content or the
/// new, never half of it.
void write_file_atomically(const std::filesystem::path& target, std::string_view content);

class results_folder {
 public:
  /// Creates (or reuses) the folder and starts a fresh cycles.jsonl.
  explicit results_folder(std::filesystem::path folder);

  const std::filesystem::path& path() const { return folder_; }

  /// Writes a whole file atomically: a reader sees the old or the new
  /// content, never a half-written one.
  void write_file(std::string_view name, std::string_view content) const;

  /// Appends one cycle as a JSON line and flushes it to disk.
  void append_cycle(const cycle_result& cycle);

 private:
  std::filesystem::path folder_;
  std::ofstream cycles_;
};

/// config.json: everything of the config that decides the results.
std::string config_json(const config& c, std::string_view device, std::string_view model);

/// versions.json: alpipe, LibTorch, fmt, the compiler.
std::string versions_json(std::string_view device);

/// pretraining.json: how the run's encoder was pretrained, or that it came
/// from the cache.
std::string pretraining_json(const pretraining_record& record);

/// One line of cycles.jsonl.
std::string cycle_json(const cycle_result& cycle);

}  // namespace al::engine
