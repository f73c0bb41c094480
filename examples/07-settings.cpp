// Lesson 07 — settings change the winner.
//
// The study-group slides (2022-07-07) end on a warning: papers compare
// strategies from different initial sets, query sizes, budgets and seeds, so
// a method can lose to random in one paper and beat it in the next. Here the
// same five strategies — random, entropy, margin, coreset, badge — run on one
// Fashion-MNIST pool under five settings, each a fair comparison of its own
// (al::compare: the same initial labels and weights for every strategy of a
// seed):
//
//   tiny       initial(random, 20)   | cycle(5, query(s, 20))      20 → 120 labels
//   small      initial(random, 100)  | cycle(6, query(s, 100))    100 → 700 (the quickstart)
//   one-query  initial(random, 100)  | cycle(1, query(s, 600))    100 → 700 in one query
//   large      initial(random, 1000) | cycle(3, query(s, 1000))  1000 → 4000
//   pretrained pretrain(simsiam) | small, with LP-FT (train.probe_first())
//
// For each setting it prints every strategy's AUBC, its rank on each seed
// (1 = best), its paired t test against random over the seeds, and at the end
// where the ranking flips between settings. It writes settings.csv (one line
// per setting, strategy and seed) and each setting's curves.csv for
// `alpipe plot`. Measured results: docs/course/07-settings.md.
//
// Run it:   build/examples/07-settings [--smoke] [--seeds N] [--pool N] [--out DIR]
//                                [--device NAME] [--model NAME]
//                                [--pretrain-epochs N] [--pretrain-lr X]

#include "comparison_curves.hpp"
#include "lesson_options.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>
#include <al/compare.hpp>
#include <al/metrics/aubc.hpp>
#include <al/metrics/learning_curve.hpp>
#include <al/metrics/paired_test.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

/// One setting: a name, what it varies, and its five pipelines.
struct setting {
  std::string name;
  std::string description;
  std::vector<al::compared_pipeline> pipelines;
};

/// The five strategies, each after the same front (initial set, recipe and
/// maybe pretraining), querying `cycles` times `query_size` samples.
template <class Front>
std::vector<al::compared_pipeline> five_strategies(const Front& front, int cycles,
                                                   std::int64_t query_size) {
  using namespace al;
  return {{"random", front | cycle(cycles, query(al::random, query_size))},
          {"entropy", front | cycle(cycles, query(entropy, query_size))},
          {"margin", front | cycle(cycles, query(margin, query_size))},
          {"coreset", front | cycle(cycles, query(coreset, query_size))},
          {"badge", front | cycle(cycles, query(badge, query_size))}};
}

/// Every strategy's AUBC on every seed of one finished comparison, in the
/// order of its pipelines and seeds.
std::vector<std::vector<double>> aubc_by_strategy(const al::comparison_record& record) {
  std::vector<std::vector<double>> aubcs;
  for (const auto& pipeline : record.pipelines) {
    auto& row = aubcs.emplace_back();
    for (const auto& run : pipeline.runs) {
      std::vector<std::int64_t> labelled;
      std::vector<double> accuracy;
      for (const auto& c : run.cycles) {
        labelled.push_back(c.labelled);
        accuracy.push_back(c.accuracy);
      }
      row.push_back(al::aubc(labelled, accuracy));
    }
  }
  return aubcs;
}

/// Ranks (1 = best) of each strategy on each seed; ties share the better rank.
std::vector<std::vector<int>> ranks_per_seed(const std::vector<std::vector<double>>& aubcs) {
  std::vector<std::vector<int>> ranks(aubcs.size(), std::vector<int>(aubcs.front().size()));
  for (std::size_t seed = 0; seed < aubcs.front().size(); ++seed) {
    for (std::size_t s = 0; s < aubcs.size(); ++s) {
      int better = 0;
      for (const auto& other : aubcs) better += other[seed] > aubcs[s][seed] ? 1 : 0;
      ranks[s][seed] = 1 + better;
    }
  }
  return ranks;
}

/// "p=0.012", or "p<0.001" where three decimals would print 0.000.
std::string p_text(const al::paired_test_result& test) {
  if (!test.p) return "p=n/a";
  return *test.p < 0.0005 ? std::string("p<0.001") : fmt::format("p={:.3f}", *test.p);
}

/// What one setting measured, kept for the summary of flips.
struct setting_result {
  std::string name;
  std::vector<std::string> strategies;
  std::vector<al::paired_test_result> against_random;  // per strategy; random's own is empty
  std::vector<double> mean_rank;
};

setting_result report_setting(const setting& s, const al::comparison_record& record,
                              std::ofstream& csv) {
  const auto aubcs = aubc_by_strategy(record);
  const auto ranks = ranks_per_seed(aubcs);
  const std::size_t seeds = aubcs.front().size();
  setting_result result{s.name, {}, {}, {}};

  fmt::print("\n=== {}: {} ({} seeds) ===\n", s.name, s.description, seeds);
  fmt::print("{:<10} {:>16} {:>34} {:>16} {:>9}\n", "strategy", "AUBC (%)",
             "− random (points, seeds ahead, p)", "rank per seed", "mean rank");
  // five_strategies() puts random first: every other row is tested against row 0.
  for (std::size_t k = 0; k < aubcs.size(); ++k) {
    const auto& label = record.pipelines[k].label;
    const auto aubc = al::summarize(aubcs[k]);
    const auto test = al::paired_t_test(aubcs[k], aubcs[0]);
    std::size_t ahead = 0;
    for (std::size_t seed = 0; seed < seeds; ++seed) ahead += aubcs[k][seed] > aubcs[0][seed] ? 1 : 0;
    std::string rank_text;
    double rank_sum = 0;
    for (const int r : ranks[k]) {
      rank_text += fmt::format("{}{}", rank_text.empty() ? "" : " ", r);
      rank_sum += r;
    }
    const double mean_rank = rank_sum / static_cast<double>(seeds);
    const auto versus = k == 0 ? std::string("—")
                               : fmt::format("{:+.2f} ({}/{}, {})", 100 * test.mean_difference,
                                             ahead, seeds, p_text(test));
    fmt::print("{:<10} {:>16} {:>34} {:>16} {:>9.1f}\n", label,
               fmt::format("{:.2f} ± {:.2f}", 100 * aubc.mean, 100 * aubc.std), versus, rank_text,
               mean_rank);
    for (std::size_t seed = 0; seed < seeds; ++seed) {
      const auto& run = record.pipelines[k].runs[seed];
      csv << fmt::format("{},{},{},{:.6f},{:.6f},{}\n", s.name, label, run.settings.seed,
                         aubcs[k][seed], run.cycles.back().accuracy, ranks[k][seed]);
    }
    result.strategies.push_back(label);
    result.against_random.push_back(test);
    result.mean_rank.push_back(mean_rank);
  }
  return result;
}

/// Where the ranking flips: for each strategy, the settings where it is
/// ahead of random and those where it is behind (mean over seeds), with the
/// paired test's p; then each setting's winner by mean rank.
void print_flips(const std::vector<setting_result>& results) {
  fmt::print("\n=== where the ranking flips ===\n");
  const auto& strategies = results.front().strategies;
  for (std::size_t k = 1; k < strategies.size(); ++k) {
    std::vector<std::string> ahead, behind;
    bool significantly_ahead = false, significantly_behind = false;
    for (const auto& r : results) {
      const auto& test = r.against_random[k];
      const auto entry = fmt::format("{} ({:+.2f}, {})", r.name, 100 * test.mean_difference, p_text(test));
      (test.mean_difference > 0 ? ahead : behind).push_back(entry);
      (test.mean_difference > 0 ? significantly_ahead : significantly_behind) |= test.significant();
    }
    fmt::print("{} against random: ahead in {}; behind in {}{}\n", strategies[k],
               ahead.empty() ? "none" : fmt::format("{}", fmt::join(ahead, ", ")),
               behind.empty() ? "none" : fmt::format("{}", fmt::join(behind, ", ")),
               significantly_ahead && significantly_behind ? "  <- flips, p < 0.05 both ways"
               : !ahead.empty() && !behind.empty()         ? "  <- flips"
                                                           : "");
  }
  fmt::print("best mean rank per setting:");
  for (const auto& r : results) {
    const auto best = static_cast<std::size_t>(
        std::min_element(r.mean_rank.begin(), r.mean_rank.end()) - r.mean_rank.begin());
    fmt::print(" {}: {} ({:.1f});", r.name, r.strategies[best], r.mean_rank[best]);
  }
  fmt::print("\n");
}

}  // namespace

static int lesson(int argc, char** argv) {
  using namespace al;
  using al::random;  // <cstdlib> has a ::random too

  lessons::lesson_options options;
  options.pool = 20000;
  options.seeds = 5;
  options.has_pretraining = true;
  config c;
  c.results_dir = "results/settings";
  if (const auto stop = lessons::parse_lesson_options(argc, argv, options, c)) return *stop;
  const bool smoke = options.smoke;
  // The smoke budget needs two seeds for a paired test.
  if (smoke && options.seeds < 2) options.seeds = 2;
  c.data.pool_size = smoke ? 1000 : options.pool;
  c.data.test_size = smoke ? 500 : 0;
  c.verbose = false;

  // Each setting's sizes; the smoke budget shrinks them all alike.
  const auto n = [&](std::int64_t full, std::int64_t tiny) { return smoke ? tiny : full; };
  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto simsiam_recipe = lessons::with_pretraining_options(pretrain(simsiam), options);
  // What a setting varies, in words, from its sizes.
  const auto budget = [](std::int64_t start, int cycles, std::int64_t query_size) {
    return fmt::format("initial {}, {} {} of {}, {} → {} labels", start, cycles,
                       cycles == 1 ? "query" : "queries", query_size, start,
                       start + cycles * query_size);
  };
  const int tiny_cycles = smoke ? 1 : 5, small_cycles = smoke ? 1 : 6, large_cycles = smoke ? 1 : 3;
  const std::vector<setting> settings{
      {"tiny", budget(n(20, 10), tiny_cycles, n(20, 10)),
       five_strategies(initial(random, n(20, 10)) | recipe, tiny_cycles, n(20, 10))},
      {"small", budget(n(100, 20), small_cycles, n(100, 20)),
       five_strategies(initial(random, n(100, 20)) | recipe, small_cycles, n(100, 20))},
      {"one-query", budget(n(100, 20), 1, n(600, 40)),
       five_strategies(initial(random, n(100, 20)) | recipe, 1, n(600, 40))},
      {"large", budget(n(1000, 100), large_cycles, n(1000, 100)),
       five_strategies(initial(random, n(1000, 100)) | recipe, large_cycles, n(1000, 100))},
      {"pretrained", "SimSiam pretraining and LP-FT, then " + budget(n(100, 20), small_cycles, n(100, 20)),
       five_strategies(simsiam_recipe | initial(random, n(100, 20)) | recipe.probe_first(),
                       small_cycles, n(100, 20))},
  };

  compare_options compare_with;
  compare_with.seeds.clear();
  for (int seed = 0; seed < options.seeds; ++seed) compare_with.seeds.push_back(static_cast<std::uint64_t>(seed));
  const auto parent = c.results_dir;
  std::filesystem::create_directories(parent);
  std::ofstream csv(parent / "settings.csv");
  csv << "setting,strategy,seed,aubc,final_accuracy,rank\n";
  // The pretraining cache is shared by every setting's runs of a seed.
  c.cache_dir = parent / "cache";

  std::vector<setting_result> results;
  for (const auto& s : settings) {
    c.results_dir = parent / s.name;
    const auto compared = compare(s.pipelines, c, compare_with);
    results.push_back(report_setting(s, compared.record, csv));
    lessons::write_comparison_curves(compared.record, c.results_dir / "curves.csv");
    fmt::print("report: {}\n", compared.report.string());
    std::fflush(stdout);
  }
  print_flips(results);
  fmt::print("\nresults written to {}\n", parent.string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
