// Lesson 05 — PT4AL: the pretext task decides what to label, and when.
//
// Yi et al. (2022), "Using self-supervised pretext tasks for active
// learning": a rotation head trained on every pool image gives each image a
// pretext loss. PT4AL sorts the pool by that loss, cuts it into one batch
// per labelling round (the hardest first), labels an evenly spaced sample of
// the hardest batch first, and in cycle k queries the most uncertain images
// of batch k only.
//
//   pretrain(rotation) | initial(pt4al(least_confidence), 100)
//                      | cycle(9, query(pt4al(least_confidence), 100))
//
// Compared, from the same rotation-pretrained encoder (trained once per seed
// and then loaded from the cache): random sampling, least confidence over
// the whole pool, and PT4AL with least confidence inside each batch.
//
// Run it:   build/examples/05-pt4al [--smoke] [--seeds N] [--pool N] [--out DIR]
//                             [--device NAME] [--model NAME]
//                             [--pretrain-epochs N] [--pretrain-lr X]
// Measured curves: docs/course/05-pt4al.md.

#include "learning_curves.hpp"
#include "lesson_options.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>

#include <fmt/format.h>

#include <tuple>

static int lesson(int argc, char** argv) {
  using namespace al;
  using al::random;  // <cstdlib> has a ::random too

  lessons::lesson_options options;
  options.pool = 10000;
  options.has_pretraining = true;
  config c;
  c.results_dir = "results/pt4al";
  if (const auto stop = lessons::parse_lesson_options(argc, argv, options, c)) return *stop;
  const bool smoke = options.smoke;
  c.data.pool_size = smoke ? 1000 : options.pool;
  c.data.test_size = smoke ? 500 : 0;
  c.verbose = false;

  const std::int64_t step = smoke ? 20 : 100;
  const int cycles = smoke ? 2 : 9;
  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto rotation_recipe = lessons::with_pretraining_options(pretrain(rotation), options);
  const auto pipelines = std::make_tuple(
      rotation_recipe | initial(random, step) | recipe | cycle(cycles, query(random, step)),
      rotation_recipe | initial(random, step) | recipe |
          cycle(cycles, query(least_confidence, step)),
      rotation_recipe | initial(pt4al(least_confidence), step) | recipe |
          cycle(cycles, query(pt4al(least_confidence), step)));
  lessons::learning_curves curves({"random", "least_confidence", "pt4al(least_confidence)"});

  fmt::print("{}", explain(std::get<2>(pipelines), c));
  lessons::run_arms(pipelines, options.seeds, c,
                    [&](std::size_t arm, std::uint64_t seed, const run_report& report) {
                      curves.add(arm, seed, report);
                    });
  curves.print(static_cast<std::size_t>(options.seeds));
  curves.write_csv(c.results_dir / "curves.csv");
  fmt::print("\nevery run's curve: {}\n", (c.results_dir / "curves.csv").string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
