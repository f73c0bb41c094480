#pragma once
// The statistics of a comparison, computed once from what was read and then
// formatted by the report and the plots. Private to alpipe::experiment.

#include <al/experiment/comparison_folder.hpp>
#include <al/metrics.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace al::experiment {

/// One pipeline's finished runs as curves, their means and AUBCs.
struct pipeline_summary {
  const pipeline_record* pipeline = nullptr;
  std::vector<const run_record*> finished;    // in comparison.json order
  std::vector<const run_record*> unfinished;  // left out of every mean and test
  std::vector<std::uint64_t> seeds;           // of the finished runs
  seed_curves accuracy;
  std::vector<curve_point> mean_accuracy;
  std::vector<double> aubc_by_seed;  // empty when the curve has fewer than 2 points
  sample_summary aubc;
  /// Balanced accuracy, when every finished run recorded it.
  std::optional<seed_curves> balanced;
  std::vector<curve_point> mean_balanced;
  std::vector<double> balanced_aubc_by_seed;
  sample_summary balanced_aubc;
};

/// One pipeline against the baseline, paired by seed on AUBC.
struct baseline_comparison {
  std::size_t pipeline = 0;  // index into comparison_summary::pipelines
  paired_test_result test;
};

struct comparison_summary {
  std::vector<pipeline_summary> pipelines;
  std::optional<std::size_t> baseline;  // index of the baseline pipeline
  std::vector<baseline_comparison> versus_baseline;
  /// The penalty matrix on the labelled counts all pipelines share, over the
  /// seeds all of them finished.
  std::vector<std::int64_t> penalty_labelled;
  std::vector<std::uint64_t> penalty_seeds;
  std::vector<std::vector<double>> penalty;
  bool long_tailed = false;
};

/// Throws std::runtime_error when the runs of one pipeline disagree on their
/// labelled counts (they would not come from one plan).
comparison_summary summarize_comparison(const comparison_record& comparison);

}  // namespace al::experiment
