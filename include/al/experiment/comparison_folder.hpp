#pragma once
// Reading a comparison folder: comparison.json and one results folder per
// pipeline and seed (see docs/comparisons.md for the layout). Plain data, no
// LibTorch; the reader lives in the alpipe::experiment library.
//
//   const auto comparison = al::read_comparison("results/fashion");
//   for (const auto& pipeline : comparison.pipelines) ...

#include <al/plan.hpp>
#include <al/stopping_rule.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace al {

/// One line of a run's cycles.jsonl, the fields a comparison uses.
struct cycle_record {
  int cycle = 0;
  std::int64_t labelled = 0;
  double accuracy = 0;
  /// Absent in results written before balanced accuracy was recorded.
  std::optional<double> balanced_accuracy;
  /// Cohen's kappa with the previous cycle's predictions on the stop set
  /// (al/stopping_rule.hpp); absent in cycle 0 and in older results.
  std::optional<double> agreement;
};

/// A run's config.json, the fields a report shows. Sizes of 0 mean "all".
struct run_settings {
  std::uint64_t seed = 0;
  std::string device;
  int threads = 0;
  std::string model;
  std::string data;
  std::int64_t pool_size = 0;
  std::int64_t test_size = 0;
  std::uint64_t subset_seed = 0;
  double long_tail = 0;  // 0: a balanced pool
};

/// One results folder of a comparison.
struct run_record {
  std::string name;  // the folder's name inside the comparison folder
  std::string plan_text;  // plan.txt, verbatim, for people
  /// The plan as data: plan.json; for a folder written before plan.json
  /// existed, the pipeline's text in comparison.json parsed again; nothing
  /// when neither is there (or the text uses a word this program lacks).
  std::optional<al::plan> expanded_plan;
  run_settings settings;
  /// versions.json as (name, value) pairs in file order; values as text.
  std::vector<std::pair<std::string, std::string>> versions;
  std::vector<cycle_record> cycles;
  /// Cycles the plan promises (its cycles plus the initial set, or up to
  /// the cycle after which its stopping rule ended it); fewer in
  /// cycles.jsonl means the run did not finish. Without a plan, the longest
  /// run of the pipeline sets it.
  std::size_t expected_cycles = 0;

  [[nodiscard]] bool finished() const { return cycles.size() >= expected_cycles; }
};

/// One pipeline of a comparison with its runs, one per seed.
struct pipeline_record {
  std::string label;
  std::string text;  // the pipeline in the text DSL
  bool added = false;  // added by the fair protocol (the random baseline), not asked for
  std::vector<run_record> runs;
};

struct comparison_record {
  std::filesystem::path folder;
  int format = 1;
  std::vector<std::uint64_t> seeds;
  std::string baseline;  // the label of the baseline pipeline, e.g. "random"
  std::vector<pipeline_record> pipelines;
};

/// What the stopping rules read of a run's cycles (al/stopping_rule.hpp).
std::vector<stopping_evidence> stopping_evidence_of(const run_record& run);

/// Reads DIR/comparison.json and every run folder it names. Unknown fields
/// are ignored. A missing or malformed file throws std::runtime_error naming
/// the file (and the line, in cycles.jsonl) and the fix. A cycles.jsonl whose
/// last line was cut off by a killed run counts as that run being unfinished.
comparison_record read_comparison(const std::filesystem::path& folder);

/// The runs of a comparison that are not finished, as "NAME (not started)",
/// "NAME (no finished cycle)" or "NAME (k of n cycles)", in comparison.json's
/// order; empty when every run is finished and the report can be made. For
/// a comparison run in shards, before `alpipe report`. Damaged files throw
/// as in read_comparison.
std::vector<std::string> unfinished_runs(const std::filesystem::path& folder);

}  // namespace al
