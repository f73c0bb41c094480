// Lesson 04 — self-supervised pretraining meets active learning.
//
// Bengar et al. (2021), "Reducing label effort: self-supervised meets active
// learning": SimSiam pretraining on the unlabelled pool lifts every strategy,
// most at the smallest budgets. Here: random and entropy, each from scratch
// and from a SimSiam-pretrained encoder, several seeds. The budgets grow in
// steps of 20 up to 100 labels, where pretraining matters most, then in
// steps of 100 up to 600:
//
//   pretrain(simsiam) | initial(random, 20) | train.probe_first()
//                     | cycle(4, query(entropy, 20)) | cycle(5, query(entropy, 100))
//
// train.probe_first() is LP-FT (Kumar et al. 2022): each training fits the
// head on the frozen pretrained encoder, then fine-tunes the whole network.
// With so few labels, fine-tuning under a random head loses part of what
// pretraining learnt; fitting the head first added 1.8 points at 20 labels
// here (against an earlier run that fine-tuned under a random head), and
// doubled the gain on the tuning bench's label sets (docs/self-supervised.md).
//
// Within one seed all four arms share the initial labels and the initial
// head; the two pretrained arms also share the pretrained encoder: the
// second one loads it from the cache instead of pretraining again.
//
// Run it:   build/examples/04-self-supervised [--smoke] [--seeds N] [--pool N] [--out DIR]
//                                      [--device NAME] [--model NAME]
//                                      [--pretrain-epochs N] [--pretrain-lr X]
// Measured curves: docs/course/04-self-supervised.md.

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
  c.results_dir = "results/self-supervised";
  if (const auto stop = lessons::parse_lesson_options(argc, argv, options, c)) return *stop;
  const bool smoke = options.smoke;
  c.data.pool_size = smoke ? 1000 : options.pool;
  c.data.test_size = smoke ? 500 : 0;
  c.verbose = false;

  const std::int64_t small_step = 20;
  const int small_cycles = smoke ? 1 : 4;
  const std::int64_t large_step = smoke ? 20 : 100;
  const int large_cycles = smoke ? 1 : 5;
  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto simsiam_recipe = lessons::with_pretraining_options(pretrain(simsiam), options);
  const auto from_random = initial(random, small_step) | recipe;
  const auto from_pretrained = initial(random, small_step) | recipe.probe_first();
  const auto pipelines = std::make_tuple(
      from_random | cycle(small_cycles, query(random, small_step)) |
          cycle(large_cycles, query(random, large_step)),
      from_random | cycle(small_cycles, query(entropy, small_step)) |
          cycle(large_cycles, query(entropy, large_step)),
      simsiam_recipe | from_pretrained | cycle(small_cycles, query(random, small_step)) |
          cycle(large_cycles, query(random, large_step)),
      simsiam_recipe | from_pretrained | cycle(small_cycles, query(entropy, small_step)) |
          cycle(large_cycles, query(entropy, large_step)));
  lessons::learning_curves curves(
      {"random", "entropy", "simsiam + random", "simsiam + entropy"});

  fmt::print("{}", explain(std::get<3>(pipelines), c));
  lessons::run_arms(pipelines, options.seeds, c,
                    [&](std::size_t arm, std::uint64_t seed, const run_report& report) {
                      curves.add(arm, seed, report);
                    });
  curves.print(static_cast<std::size_t>(options.seeds));
  // What pretraining adds to each strategy, and what entropy adds on top of it.
  curves.print_gains({{2, 0}, {3, 1}, {3, 2}});
  curves.write_csv(c.results_dir / "curves.csv");
  fmt::print("\nevery run's curve: {}\n", (c.results_dir / "curves.csv").string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
