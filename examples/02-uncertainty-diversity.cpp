// Lesson 02 — uncertainty, diversity and hybrids, on the same start.
//
// Uncertainty (entropy, BALD), diversity (coreset), both at once (BADGE) and
// the study-group slides' (2022-07-07) hybrid "uncertainty first, then
// diversity" (prefilter(entropy, 10) >> coreset), against random, on
// Fashion-MNIST, over several seeds: within a seed every pipeline starts from
// the same initial set and weights.
//
// Besides the learning curves it prints what the slides say about each
// family and the lesson measures instead of asserting:
//   * which classes each strategy asks about (the query class histograms);
//   * what each strategy costs: seconds to train, score and select.
//
// Run it:   build/examples/02-uncertainty-diversity [--smoke] [--seeds N] [--pool N]
//                                   [--out DIR] [--device NAME] [--model NAME]
// --pool 60000 runs on the whole training set (the benchmark setting).
// It writes curves.csv (for `alpipe plot`), query-classes.csv (one line per
// strategy, seed, cycle and class) and costs.csv (seconds per cycle). Measured: docs/course/02-uncertainty-diversity.md.

#include "class_histogram.hpp"
#include "learning_curves.hpp"
#include "lesson_options.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>

#include <fmt/format.h>

#include <numeric>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

/// Fashion-MNIST's classes, in label order.
const std::vector<std::string> class_names{"T-shirt", "trouser", "pullover", "dress", "coat",
                                           "sandal",  "shirt",   "sneaker",  "bag",   "boot"};

/// Per strategy: how many queried samples of each class (summed over seeds
/// and cycles; the initial set, cycle 0, is the same for all and left out),
/// and the seconds spent training, scoring and selecting.
struct strategy_tally {
  std::vector<std::int64_t> queried_classes;
  al::cycle_timings seconds;
};

}  // namespace

static int lesson(int argc, char** argv) {
  using namespace al;
  using al::random;  // <cstdlib> has a ::random too

  lessons::lesson_options options;
  options.pool = 20000;
  config c;
  c.results_dir = "results/uncertainty-diversity";
  if (const auto stop = lessons::parse_lesson_options(argc, argv, options, c)) return *stop;
  const bool smoke = options.smoke;
  c.data.pool_size = smoke ? 2000 : options.pool;
  c.data.test_size = smoke ? 1000 : 0;
  c.verbose = false;

  const std::int64_t start = smoke ? 20 : 100;
  const std::int64_t step = smoke ? 20 : 100;
  const int cycles = smoke ? 2 : 5;
  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto pipelines = std::make_tuple(
      initial(random, start) | recipe | cycle(cycles, query(random, step)),
      initial(random, start) | recipe | cycle(cycles, query(entropy, step)),
      initial(random, start) | recipe | cycle(cycles, query(bald, step)),
      initial(random, start) | recipe | cycle(cycles, query(coreset, step)),
      initial(random, start) | recipe | cycle(cycles, query(badge, step)),
      initial(random, start) | recipe | cycle(cycles, query(prefilter(entropy, 10) >> coreset, step)));
  const std::vector<std::string> names{"random", "entropy", "bald", "coreset", "badge",
                                       "entropy>>coreset"};

  lessons::learning_curves curves(names);
  std::vector<strategy_tally> tallies(names.size());
  std::filesystem::create_directories(c.results_dir);
  std::ofstream classes_csv(c.results_dir / "query-classes.csv");
  classes_csv << "arm,seed,cycle,class,count\n";
  std::ofstream costs_csv(c.results_dir / "costs.csv");
  costs_csv << "arm,seed,cycle,train,score,select\n";
  std::string device;
  lessons::run_arms(pipelines, options.seeds, c,
                    [&](std::size_t arm, std::uint64_t seed, const run_report& report) {
                      curves.add(arm, seed, report);
                      device = report.device;
                      auto& tally = tallies[arm];
                      for (const auto& cycle : report.cycles) {
                        tally.seconds.train += cycle.seconds.train;
                        tally.seconds.score += cycle.seconds.score;
                        tally.seconds.select += cycle.seconds.select;
                        costs_csv << fmt::format("\"{}\",{},{},{:.4f},{:.4f},{:.4f}\n", names[arm],
                                                 seed, cycle.cycle, cycle.seconds.train,
                                                 cycle.seconds.score, cycle.seconds.select);
                        if (cycle.cycle == 0) continue;
                        const auto& histogram = cycle.query_class_histogram;
                        tally.queried_classes.resize(histogram.size(), 0);
                        for (std::size_t k = 0; k < histogram.size(); ++k) {
                          tally.queried_classes[k] += histogram[k];
                          classes_csv << fmt::format("\"{}\",{},{},{},{}\n", names[arm], seed,
                                                     cycle.cycle, k, histogram[k]);
                        }
                      }
                    });
  classes_csv.close();
  costs_csv.close();
  const auto seeds = static_cast<std::size_t>(options.seeds);
  fmt::print("\ndevice {}", device);
  curves.print(seeds);
  std::vector<std::pair<std::size_t, std::size_t>> against_random;
  for (std::size_t arm = 1; arm < names.size(); ++arm) against_random.emplace_back(arm, 0);
  curves.print_gains(against_random);

  // Which classes each strategy asked about: the share of its queries (all
  // cycles after the initial set, all seeds) per class. Even is 10% each.
  fmt::print("\nclasses of the queried samples (% of each strategy's queries, {} seed{})\n{:>9}",
             seeds, seeds == 1 ? "" : "s", "class");
  for (const auto& name : names) fmt::print(" {:>16}", name);
  fmt::print("\n");
  std::vector<std::int64_t> queried;  // per strategy, all its queries
  for (const auto& tally : tallies) {
    queried.push_back(std::accumulate(tally.queried_classes.begin(), tally.queried_classes.end(),
                                      std::int64_t{0}));
  }
  for (std::size_t k = 0; k < class_names.size(); ++k) {
    fmt::print("{:>9}", class_names[k]);
    for (std::size_t arm = 0; arm < tallies.size(); ++arm) {
      const auto& counts = tallies[arm].queried_classes;
      const auto n = k < counts.size() ? counts[k] : 0;
      fmt::print(" {:>16.1f}", queried[arm] > 0 ? 100.0 * static_cast<double>(n) /
                                                      static_cast<double>(queried[arm])
                                                : 0.0);
    }
    fmt::print("\n");
  }
  // The same spread as one number: entropy of the histogram in bits
  // (log2 10 = 3.32 when every class is asked about equally often).
  fmt::print("{:>9}", "bits");
  for (const auto& tally : tallies) {
    fmt::print(" {:>16.2f}", lessons::histogram_entropy(tally.queried_classes));
  }
  fmt::print("\n");

  fmt::print("\nseconds per run, mean over seeds, summed over cycles: train / score / select\n");
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto& t = tallies[k].seconds;
    const auto per_seed = static_cast<double>(seeds);
    fmt::print("  {:<18} {:7.1f} {:7.1f} {:7.2f}\n", names[k], t.train / per_seed,
               t.score / per_seed, t.select / per_seed);
  }
  curves.write_csv(c.results_dir / "curves.csv");
  fmt::print("\nresults written to {} (curves.csv, query-classes.csv, costs.csv)\n", c.results_dir.string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
