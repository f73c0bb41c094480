// Lesson 03 — discrepancy: where do two views of the model disagree?
//
// Two strategies score a sample by a disagreement the training creates:
//   mcdal — MCDAL (Cho et al.): two auxiliary heads are trained to agree on
//           the labels and to disagree elsewhere; label where they disagree;
//   tod   — TOD (Huang et al., ICCV 2021): the model carries on from cycle to
//           cycle; label where its prediction moved most since the last one.
//           Its first query has no previous model and is random.
// train.cod() adds TOD's semi-supervised loss (a consistency head and an EMA
// teacher on unlabelled batches) and works with any strategy.
//
// TOD warm-starts every training while the other arms restart from the
// seed's weights, so the lesson also runs random with a warm start: the
// honest baseline for tod. Within one seed every arm shares the initial set
// and the initial weights.
//
//   initial(random, 100) | train.cod() | cycle(5, query(tod, 100))
//
// Run it:   build/examples/03-discrepancy [--smoke] [--seeds N] [--pool N] [--out DIR]
//                                   [--device NAME] [--model NAME]
// Measured curves: docs/course/03-discrepancy.md.

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
  config c;
  c.results_dir = "results/discrepancy";
  if (const auto stop = lessons::parse_lesson_options(argc, argv, options, c)) return *stop;
  const bool smoke = options.smoke;
  c.data.pool_size = smoke ? 1000 : options.pool;
  c.data.test_size = smoke ? 500 : 0;
  c.verbose = false;

  const std::int64_t step = smoke ? 20 : 100;
  const int cycles = smoke ? 2 : 5;
  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto start = initial(random, step);
  const auto pipelines = std::make_tuple(
      start | recipe | cycle(cycles, query(random, step)),
      start | recipe | cycle(cycles, query(entropy, step)),
      start | recipe | cycle(cycles, query(mcdal, step)),
      start | recipe.warm_start() | cycle(cycles, query(random, step)),
      start | recipe | cycle(cycles, query(tod, step)),
      start | recipe.cod() | cycle(cycles, query(tod, step)));
  lessons::learning_curves curves(
      {"random", "entropy", "mcdal", "random, warm start", "tod", "tod + cod"});

  fmt::print("{}\n{}", explain(std::get<2>(pipelines)), explain(std::get<5>(pipelines)));
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
