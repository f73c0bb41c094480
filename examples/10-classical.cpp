// Lesson 10 — the classical baselines, on the same start.
//
// Uncertainty (entropy, BALD), diversity (coreset), both at once (BADGE) and
// the study-group slides' (2022-07-07) hybrid "uncertainty first, then diversity"
// (prefilter(entropy, 10) >> coreset), against random, on Fashion-MNIST.
// One seed: every pipeline starts from the same initial set and weights.
//
// Run it:   build/examples/10-classical [--smoke] [--pool N] [--seed N] [--out DIR]
// --pool 60000 runs on the whole training set (the benchmark setting).

#include "command_line.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

static int lesson(int argc, char** argv) {
  using namespace al;
  using al::random;

  bool smoke = false;
  std::int64_t pool = 20000;
  config c;
  c.results_dir = "results/classical";
  CLI::App app{"Lesson 10: the classical strategies against random on one seed."};
  app.add_flag("--smoke", smoke, "the tiny budget ctest runs");
  app.add_option("--pool", pool, "pool size drawn from the training split (0: all)")
      ->check(CLI::Range(std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max()));
  lessons::add_seed_option(app, c);
  app.add_option("--out", c.results_dir, "parent folder of the results");
  if (const auto stop = lessons::parse_command_line(app, argc, argv)) return *stop;
  c.data.pool_size = smoke ? 2000 : pool;
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

  std::vector<run_report> reports;
  std::apply(
      [&](const auto&... p) {
        std::size_t k = 0;
        ((c.run_name = fmt::format("{}-seed{}", names[k++], c.seed), reports.push_back(run(p, c))),
         ...);
      },
      pipelines);

  fmt::print("test accuracy (%) by labelled count, seed {}, device {}\n", c.seed,
             reports.front().device);
  fmt::print("{:>8}", "labels");
  for (const auto& name : names) fmt::print(" {:>16}", name);
  fmt::print("\n");
  for (std::size_t row = 0; row < reports.front().cycles.size(); ++row) {
    fmt::print("{:>8}", reports.front().cycles[row].labelled);
    for (const auto& r : reports) fmt::print(" {:>16.2f}", 100 * r.cycles[row].accuracy);
    fmt::print("\n");
  }
  fmt::print("\nseconds per run, summed over cycles: train / score / select\n");
  for (std::size_t k = 0; k < reports.size(); ++k) {
    cycle_timings total;
    for (const auto& cycle : reports[k].cycles) {
      total.train += cycle.seconds.train;
      total.score += cycle.seconds.score;
      total.select += cycle.seconds.select;
    }
    fmt::print("  {:<18} {:7.1f} {:7.1f} {:7.2f}\n", names[k], total.train, total.score, total.select);
  }
  fmt::print("\nresults written to {}\n", c.results_dir.string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
