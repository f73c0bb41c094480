// Lesson 20 — self-supervised pretraining meets active learning.
//
// Bengar et al. (2021), "Reducing label effort: self-supervised meets active
// learning": SimSiam pretraining on the unlabelled pool lifts every strategy,
// most at the smallest budgets. Here: random and entropy, each from scratch
// and from a SimSiam-pretrained encoder, 100 → 1000 labels, several seeds.
//
//   pretrain(simsiam) | initial(random, 100) | cycle(9, query(entropy, 100))
//
// Within one seed all four arms share the initial labels and the initial
// head; the two pretrained arms also share the pretrained encoder: the
// second one loads it from the cache instead of pretraining again.
//
// Run it:   build/examples/20-self-supervised [--smoke] [--seeds N] [--pool N] [--out DIR]
// Measured curves: docs/self-supervised.md.

#include "learning_curves.hpp"
#include "lesson_options.hpp"

#include <al/al.hpp>

#include <fmt/format.h>

#include <tuple>

int main(int argc, char** argv) {
  using namespace al;
  using al::random;  // <cstdlib> has a ::random too

  lessons::lesson_options options;
  options.pool = 10000;
  config c;
  c.results_dir = "results/self-supervised";
  if (!lessons::parse_lesson_options(argc, argv, options, c)) return 2;
  const bool smoke = options.smoke;
  c.data.pool_size = smoke ? 1000 : options.pool;
  c.data.test_size = smoke ? 500 : 0;
  c.verbose = false;

  const std::int64_t step = smoke ? 20 : 100;
  const int cycles = smoke ? 1 : 9;
  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto simsiam_recipe = smoke ? pretrain(simsiam).epochs(1) : pretrain(simsiam);
  const auto from_random = initial(random, step) | recipe;
  const auto pipelines = std::make_tuple(
      from_random | cycle(cycles, query(random, step)),
      from_random | cycle(cycles, query(entropy, step)),
      simsiam_recipe | from_random | cycle(cycles, query(random, step)),
      simsiam_recipe | from_random | cycle(cycles, query(entropy, step)));
  lessons::learning_curves curves(
      {"random", "entropy", "simsiam + random", "simsiam + entropy"});

  fmt::print("{}", explain(std::get<3>(pipelines), c));
  lessons::run_arms(pipelines, options.seeds, c,
                    [&](std::size_t arm, std::uint64_t seed, const run_report& report) {
                      curves.add(arm, seed, report);
                    });
  curves.print(static_cast<std::size_t>(options.seeds));
  curves.write_csv(c.results_dir / "curves.csv");
  fmt::print("\nevery run's curve: {}\n", (c.results_dir / "curves.csv").string());
  return 0;
}
