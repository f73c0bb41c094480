// Pairs runs by the seed in their config.json, so a run left out (unfinished)
// drops that seed from the paired tests instead of shifting the pairs.

#include "comparison_summary.hpp"

#include <fmt/format.h>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/transform.hpp>

#include <algorithm>
#include <stdexcept>

namespace al::experiment {
namespace {

std::vector<std::int64_t> labelled_counts(const run_record& run) {
  return run.cycles | ranges::views::transform(&cycle_record::labelled) | ranges::to<std::vector>();
}

std::vector<double> aubc_by_seed(const seed_curves& curves) {
  if (curves.labelled.size() < 2) return {};
  return curves.by_seed |
         ranges::views::transform([&](const auto& seed) { return aubc(curves.labelled, seed); }) |
         ranges::to<std::vector>();
}

pipeline_summary summarize_pipeline(const pipeline_record& pipeline) {
  pipeline_summary out;
  out.pipeline = &pipeline;
  for (const auto& run : pipeline.runs) {
    (run.finished() ? out.finished : out.unfinished).push_back(&run);
  }
  if (out.finished.empty()) return out;
  out.accuracy.labelled = labelled_counts(*out.finished.front());
  bool all_balanced = true;
  seed_curves balanced{out.accuracy.labelled, {}};
  for (const auto* run : out.finished) {
    if (labelled_counts(*run) != out.accuracy.labelled) {
      throw std::runtime_error(fmt::format(
          "pipeline '{}': run {} labelled other counts than run {}; the runs of one pipeline must "
          "come from the same plan: run the differing seed again",
          pipeline.label, run->name, out.finished.front()->name));
    }
    out.seeds.push_back(run->settings.seed);
    std::vector<double> accuracy;
    std::vector<double> balanced_accuracy;
    for (const auto& cycle : run->cycles) {
      accuracy.push_back(cycle.accuracy);
      if (cycle.balanced_accuracy) balanced_accuracy.push_back(*cycle.balanced_accuracy);
      else all_balanced = false;
    }
    out.accuracy.by_seed.push_back(std::move(accuracy));
    balanced.by_seed.push_back(std::move(balanced_accuracy));
  }
  out.mean_accuracy = mean_curve(out.accuracy);
  out.aubc_by_seed = aubc_by_seed(out.accuracy);
  out.aubc = summarize(out.aubc_by_seed);
  if (all_balanced) {
    out.mean_balanced = mean_curve(balanced);
    out.balanced_aubc_by_seed = aubc_by_seed(balanced);
    out.balanced_aubc = summarize(out.balanced_aubc_by_seed);
    out.balanced = std::move(balanced);
  }
  return out;
}

// The AUBCs of both pipelines on the seeds both finished, in the first's order.
paired_test_result compare_on_common_seeds(const pipeline_summary& a, const pipeline_summary& b) {
  std::vector<double> values_a;
  std::vector<double> values_b;
  if (!a.aubc_by_seed.empty() && !b.aubc_by_seed.empty()) {
    for (std::size_t s = 0; s < a.seeds.size(); ++s) {
      const auto match = std::find(b.seeds.begin(), b.seeds.end(), a.seeds[s]);
      if (match == b.seeds.end()) continue;
      values_a.push_back(a.aubc_by_seed[s]);
      values_b.push_back(b.aubc_by_seed[static_cast<std::size_t>(match - b.seeds.begin())]);
    }
  }
  return paired_t_test(values_a, values_b);
}

void penalty_on_common_ground(comparison_summary& summary) {
  auto& pipelines = summary.pipelines;
  if (pipelines.empty()) return;
  summary.penalty.assign(pipelines.size(), std::vector<double>(pipelines.size(), 0.0));
  auto seeds = pipelines.front().seeds;
  auto labelled = pipelines.front().accuracy.labelled;
  for (const auto& p : pipelines) {
    std::erase_if(seeds, [&](std::uint64_t seed) {
      return std::find(p.seeds.begin(), p.seeds.end(), seed) == p.seeds.end();
    });
    std::erase_if(labelled, [&](std::int64_t count) {
      return std::find(p.accuracy.labelled.begin(), p.accuracy.labelled.end(), count) ==
             p.accuracy.labelled.end();
    });
  }
  summary.penalty_seeds = seeds;
  summary.penalty_labelled = labelled;
  if (seeds.empty() || labelled.empty()) return;
  std::vector<seed_curves> tables;
  for (const auto& p : pipelines) {
    seed_curves table{labelled, {}};
    for (const auto seed : seeds) {
      const auto s = static_cast<std::size_t>(std::find(p.seeds.begin(), p.seeds.end(), seed) -
                                              p.seeds.begin());
      std::vector<double> row;
      for (const auto count : labelled) {
        const auto k = static_cast<std::size_t>(
            std::find(p.accuracy.labelled.begin(), p.accuracy.labelled.end(), count) -
            p.accuracy.labelled.begin());
        row.push_back(p.accuracy.by_seed[s][k]);
      }
      table.by_seed.push_back(std::move(row));
    }
    tables.push_back(std::move(table));
  }
  summary.penalty = penalty_matrix(tables);
}

}  // namespace

comparison_summary summarize_comparison(const comparison_record& comparison) {
  comparison_summary summary;
  for (const auto& pipeline : comparison.pipelines) {
    summary.pipelines.push_back(summarize_pipeline(pipeline));
    if (pipeline.label == comparison.baseline && !summary.baseline) {
      summary.baseline = summary.pipelines.size() - 1;
    }
    for (const auto& run : pipeline.runs) {
      if (run.settings.long_tail != 0) summary.long_tailed = true;
    }
  }
  if (summary.baseline) {
    const auto& baseline = summary.pipelines[*summary.baseline];
    for (std::size_t i = 0; i < summary.pipelines.size(); ++i) {
      if (i == *summary.baseline) continue;
      summary.versus_baseline.push_back({i, compare_on_common_seeds(summary.pipelines[i], baseline)});
    }
  }
  penalty_on_common_ground(summary);
  return summary;
}

}  // namespace al::experiment
