// Lesson 01 — the quickstart: four query strategies on Fashion-MNIST.
//
// Random sampling against three uncertainty strategies (least confidence,
// margin, entropy), under the fair protocol: one seed, so every pipeline
// starts from the same 100 labelled images and the same initial weights,
// trains with the same recipe, and differs only in what it asks to label.
//
// Run it:   tools/quickstart            (builds, then runs this program)
//           build/examples/01-quickstart [--smoke] [--seed N] [--out DIR]
// --smoke (or ALPIPE_QUICKSTART_SMOKE=1) runs a tiny budget for CI.

#include "command_line.hpp"
#include "learning_curves.hpp"
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
  using al::random;  // <cstdlib> has a ::random too

  bool smoke = std::getenv("ALPIPE_QUICKSTART_SMOKE") != nullptr;
  config c;
  c.results_dir = "results/quickstart";
  CLI::App app{"Lesson 01: random, least confidence, margin and entropy on Fashion-MNIST."};
  app.add_flag("--smoke", smoke, "the tiny budget ctest runs");
  lessons::add_seed_option(app, c);
  app.add_option("--out", c.results_dir, "parent folder of the results");
  if (const auto stop = lessons::parse_command_line(app, argc, argv)) return *stop;

  // The data: a 20 000-image pool drawn from the 60 000 training images
  // (the same pool for every seed), evaluated on the 10 000 test images.
  c.data.name = "fashion-mnist";
  c.data.pool_size = smoke ? 2000 : 20000;
  c.data.test_size = smoke ? 1000 : 0;
  c.verbose = false;

  // The pipelines: 100 random labels, then 6 cycles of 100 queries each.
  // Only the strategy word differs between them.
  const std::int64_t start = smoke ? 20 : 100;
  const std::int64_t step = smoke ? 20 : 100;
  const int cycles = smoke ? 2 : 6;
  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto pipelines = std::make_tuple(
      initial(random, start) | recipe | cycle(cycles, query(random, step)),
      initial(random, start) | recipe | cycle(cycles, query(least_confidence, step)),
      initial(random, start) | recipe | cycle(cycles, query(margin, step)),
      initial(random, start) | recipe | cycle(cycles, query(entropy, step)));
  const std::vector<std::string> names{"random", "least_confidence", "margin", "entropy"};

  fmt::print("{}", explain(std::get<3>(pipelines)));
  fmt::print("\nrunning {} strategies on {} (pool {}, seed {})...\n", names.size(), c.data.name,
             c.data.pool_size, c.seed);

  // Run each pipeline under the same seed; each writes its own results folder.
  std::vector<run_report> reports;
  std::apply([&](const auto&... p) { (reports.push_back(run(p, c)), ...); }, pipelines);

  // The table: labelled count × strategy → test accuracy.
  fmt::print("\ntest accuracy (%) by labelled count, seed {}, device {}\n", c.seed,
             reports.front().device);
  fmt::print("{:>8}", "labels");
  for (const auto& name : names) fmt::print(" {:>17}", name);
  fmt::print("\n");
  for (std::size_t row = 0; row < reports.front().cycles.size(); ++row) {
    fmt::print("{:>8}", reports.front().cycles[row].labelled);
    for (const auto& r : reports) fmt::print(" {:>17.2f}", 100 * r.cycles[row].accuracy);
    fmt::print("\n");
  }
  // Every run's curve as CSV, for `alpipe plot` and the course's tables.
  lessons::learning_curves curves(names);
  for (std::size_t k = 0; k < reports.size(); ++k) curves.add(k, c.seed, reports[k]);
  curves.write_csv(c.results_dir / "curves.csv");
  fmt::print("\nresults written to:\n");
  for (const auto& r : reports) fmt::print("  {}\n", r.folder.string());
  fmt::print("  {}\n", (c.results_dir / "curves.csv").string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
