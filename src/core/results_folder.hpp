#pragma once
// A run's results folder: what was run (plan, config, versions) and one JSON
// line per finished cycle, written as the cycle ends so a crash loses no
// finished cycle.

#include <al/config.hpp>
#include <al/plan.hpp>
#include <al/report.hpp>

#include "../oracle/folder_lock.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>
#include <string>
#include <string_view>

namespace al::engine {

/// Writes `content` to a temporary file beside `target`, syncs it, then
/// renames it: a reader (or a run after a crash) sees the old content or the
/// new, never half of it.
void write_file_atomically(const std::filesystem::path& target, std::string_view content);

/// Identifies a run for the checks of its files: a hash of its plan text and
/// of its config without the thread count (which changes how fast a run
/// goes, not which run it is).
std::string run_identity(std::string_view plan_text, std::string_view config_text);

class results_folder {
 public:
  /// Creates the folder, or opens the one an earlier run left, and locks it
  /// for this process (run.lock): a second process on the same folder fails
  /// with a message naming this one, or waits when `mode` says so.
  /// `identity` (run_identity) signs every line of cycles.jsonl, so a line
  /// changed by hand or copied from another run is found on resume.
  results_folder(std::filesystem::path folder, std::string identity,
                 oracle_detail::folder_lock::when_held mode);

  const std::filesystem::path& path() const { return folder_; }

  /// Writes a whole file atomically: a reader sees the old or the new
  /// content, never a half-written one.
  void write_file(std::string_view name, std::string_view content) const;

  /// The content of a file of the folder, or nullopt when there is none.
  std::optional<std::string> read_file(std::string_view name) const;

  /// The cycles cycles.jsonl holds, in order. A last line cut off by a kill
  /// is not a finished cycle and is left out. Any other damage — a line
  /// that is not JSON, whose check does not match, that belongs to another
  /// run, or out of order (a repeated line) — throws, naming the file and
  /// the line.
  std::vector<cycle_result> finished_cycles() const;

  /// Starts cycles.jsonl over with `cycles` (atomically), then appends to it.
  void keep_cycles(const std::vector<cycle_result>& cycles);

  /// Appends one cycle as a JSON line and flushes it to disk.
  void append_cycle(const cycle_result& cycle);

 private:
  std::filesystem::path folder_;
  std::string identity_;
  std::unique_ptr<oracle_detail::folder_lock> lock_;
  std::ofstream cycles_;

  /// One line of cycles.jsonl: the cycle's JSON signed with the run identity.
  std::string signed_line(const cycle_result& cycle) const;
};

/// Why the folder's plan.txt and config.json do not match the run's (the
/// first differing line of each), or nullopt when they match or the folder
/// holds no run yet. The thread count is not compared: it changes how fast a
/// run goes, not which run it is.
std::optional<std::string> run_mismatch(const results_folder& folder, std::string_view plan_text,
                                        std::string_view config_text);

/// config.json: everything of the config that decides the results.
/// `ranks`: the processes of a data-parallel run, recorded when more than
/// one (batch norm then normalises each rank's slice, so the count is part
/// of the results).
std::string config_json(const config& c, std::string_view device, std::string_view model,
                        int ranks = 1);

/// versions.json: alpipe, LibTorch, fmt, the compiler.
std::string versions_json(std::string_view device);

/// pretraining.json: how the run's encoder was pretrained, or that it came
/// from the cache.
std::string pretraining_json(const pretraining_record& record);

/// One line of cycles.jsonl.
std::string cycle_json(const cycle_result& cycle);

/// A line of cycles.jsonl read back; a malformed line throws.
cycle_result cycle_from_json(std::string_view line);

}  // namespace al::engine
