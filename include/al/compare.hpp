#pragma once
// al::compare — several pipelines over several seeds, under the fair
// protocol: the same data, initial set and initial weights per seed, a random
// baseline always there, then the report (docs/comparisons.md).
//
//   auto result = al::compare({{"entropy", initial(random, 100) | cycle(6, query(entropy, 100))},
//                              {"margin", initial(random, 100) | cycle(6, query(margin, 100))}},
//                             config);
//   // config.results_dir/comparison.json, one run folder per pipeline and
//   // seed (random-seed0, entropy-seed0, ...), result.report = .../report.md
//
// Declared without LibTorch; defined in the compiled engine (link
// alpipe::alpipe).

#include <al/config.hpp>
#include <al/experiment/comparison_folder.hpp>
#include <al/pipeline.hpp>
#include <al/plan.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace al {

/// One pipeline of a comparison: its label in the report, its plan and its
/// text-DSL spelling (recorded in comparison.json; may be empty for a plan
/// built by hand).
struct compared_pipeline {
  std::string label;
  al::plan expanded;
  std::string text;

  compared_pipeline(std::string label, al::plan expanded, std::string text = {})
      : label(std::move(label)), expanded(std::move(expanded)), text(std::move(text)) {}

  /// A typed pipeline: `{"entropy", initial(random, 100) | cycle(6, query(entropy, 100))}`.
  template <pipeable P>
  compared_pipeline(std::string label, const P& pipeline)
      : label(std::move(label)), expanded(lower(pipeline)), text(to_string(pipeline)) {}
};

struct compare_options {
  /// Every pipeline runs once per seed; at least 3 for a paired test worth
  /// reading (with 2 seeds the report has one degree of freedom).
  std::vector<std::uint64_t> seeds{0, 1, 2};
  /// Runs at once; 0 = as many as there are runs, at most the machine's cores.
  int parallel = 0;
  /// This process runs the shard-th of `shards` slices of the job list
  /// (alpipe: --shard K/N, K from 0 to N − 1): job k, in seed-major order,
  /// belongs to slice k mod N. Every shard writes (or finds) the same
  /// comparison.json; each run folder is locked by the process running it,
  /// and the report is written by whichever shard finishes the last run.
  /// Run the N shards as separate processes, on one machine or several that
  /// share the folder (docs/comparisons.md: Slurm job arrays, GNU parallel).
  std::size_t shard = 0;
  std::size_t shards = 1;
  /// Add a random baseline when no pipeline queries only at random, and on a
  /// long-tailed pool (`config.data.long_tail`) a `balanced(random)` one too.
  bool add_baselines = true;
};

struct comparison_result {
  std::filesystem::path folder;  // config.results_dir: comparison.json and the run folders
  std::filesystem::path report;  // folder / "report.md"; empty while other shards have runs left
  comparison_record record;      // what the report was made from (empty without a report)
  /// The comparison's runs that are not finished yet (see
  /// al::unfinished_runs); with shards, the report waits until it is empty.
  std::vector<std::string> unfinished;
  int parallel = 1;              // runs that were run at once
  int threads_per_run = 0;       // Torch threads of every run
};

/// Runs every pipeline for every seed, each in
/// `c.results_dir / "<label>-seed<s>"` (the label made folder-safe) with
/// `seed = s`; writes `c.results_dir / "comparison.json"` before the first
/// run (a killed comparison can be reported, and run again) and the report
/// after the last (with shards: after the last run of any shard).
///
/// When `c.threads` is 0 every run gets max(1, cores / parallel) Torch
/// threads, the same for all, and config.json records it. A run that throws
/// lets the others finish; then the first error (in pipeline and seed order)
/// is thrown again, naming the pipeline and seed. An empty list, an empty
/// or repeated label and an empty or repeated seed are std::invalid_argument.
comparison_result compare(std::vector<compared_pipeline> pipelines, const config& c,
                          compare_options options = {});

/// A label for a pipeline nobody named: the strategy of its first query, as
/// the text DSL spells it (`entropy`, `balanced(entropy)`,
/// `entropy>>coreset`), or `initial` for a plan without queries.
std::string default_label(const plan& p);

/// The run folder's name for a label: letters, digits, `_`, `.` and `-` kept,
/// any other run of characters one `-` (`balanced(entropy)` → `balanced-entropy`).
std::string folder_label(const std::string& label);

}  // namespace al
