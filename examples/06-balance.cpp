// Lesson 06 — balance across classes on a long-tailed pool.
//
// On imbalanced data uncertainty sampling keeps asking about the classes the
// model already sees often, and plain accuracy hides it. Here the
// Fashion-MNIST pool is cut to a long tail (class c keeps n_max·ρ^(c/9),
// ρ = 0.1 and 0.01; the test set stays balanced), and five strategies start
// from the same initial set and weights for each seed:
//   random, entropy,
//   balanced(entropy)            — an equal quota per predicted class,
//   balanced(boundary)           — BASE (Emam et al. 2021),
//   class_balanced(entropy, 0.6) — CBAL (Bengar et al. 2022).
// For each labelled count: accuracy, balanced accuracy (mean per-class
// recall) and the entropy of the labelled set's class histogram (bits; an
// even spread over 10 classes is log2 10 = 3.32).
//
// Run it:   build/examples/06-balance [--smoke] [--seeds N] [--pool N] [--out DIR]
//                               [--device NAME] [--model NAME]
// Measured: docs/course/06-balance.md.

#include "class_histogram.hpp"
#include "lesson_options.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

/// One metric of several arms: mean ± sd over seeds at each labelled count.
class metric_table {
 public:
  void add(std::size_t arm, std::int64_t labelled, double value) {
    values_[labelled][arm].push_back(value);
  }

  void print(std::string_view title, const std::vector<std::string>& arms, double scale) const {
    fmt::print("\n{}\n{:>7}", title, "labels");
    for (const auto& arm : arms) fmt::print(" {:>28}", arm);
    fmt::print("\n");
    for (const auto& [labelled, by_arm] : values_) {
      fmt::print("{:>7}", labelled);
      for (std::size_t a = 0; a < arms.size(); ++a) {
        const auto& v = by_arm.at(a);
        double mean = 0;
        for (double x : v) mean += x / static_cast<double>(v.size());
        double squares = 0;
        for (double x : v) squares += (x - mean) * (x - mean);
        const double sd = v.size() > 1 ? std::sqrt(squares / static_cast<double>(v.size() - 1)) : 0;
        fmt::print(" {:>28}", fmt::format("{:.2f} ± {:.2f}", scale * mean, scale * sd));
      }
      fmt::print("\n");
    }
  }

 private:
  std::map<std::int64_t, std::map<std::size_t, std::vector<double>>> values_;
};

}  // namespace

static int lesson(int argc, char** argv) {
  using namespace al;
  using al::random;

  lessons::lesson_options options;
  options.pool = 20000;
  config c;
  c.results_dir = "results/balance";
  if (const auto stop = lessons::parse_lesson_options(argc, argv, options, c)) return *stop;
  const bool smoke = options.smoke;
  const int seeds = options.seeds;
  // The cut keeps at most 41% of a balanced pool at rho = 0.1 and 25% at 0.01
  // (the mean of rho^(c/9) over the 10 classes c).
  c.data.pool_size = smoke ? 3000 : options.pool;
  c.data.test_size = smoke ? 1000 : 0;
  c.verbose = false;

  const std::int64_t start = smoke ? 20 : 100;
  const std::int64_t step = smoke ? 20 : 100;
  const int cycles = smoke ? 2 : 5;
  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto pipelines = std::make_tuple(
      initial(random, start) | recipe | cycle(cycles, query(random, step)),
      initial(random, start) | recipe | cycle(cycles, query(entropy, step)),
      initial(random, start) | recipe | cycle(cycles, query(balanced(entropy), step)),
      initial(random, start) | recipe | cycle(cycles, query(balanced(boundary), step)),
      initial(random, start) | recipe | cycle(cycles, query(class_balanced(entropy, 0.6), step)));
  const std::vector<std::string> arms{"random", "entropy", "balanced(entropy)",
                                      "balanced(boundary)", "class_balanced(entropy, 0.6)"};
  const std::vector<std::string> folders{"random", "entropy", "balanced-entropy", "base", "cbal"};

  for (const double rho : {0.1, 0.01}) {
    c.data.long_tail = rho;
    metric_table accuracy, balanced_accuracy, spread;
    std::string device;
    for (int seed = 0; seed < seeds; ++seed) {
      c.seed = static_cast<std::uint64_t>(seed);
      std::size_t arm = 0;
      std::apply(
          [&](const auto&... p) {
            (
                [&] {
                  c.run_name = fmt::format("rho{}-{}-seed{}", rho, folders[arm], seed);
                  const auto report = run(p, c);
                  device = report.device;
                  std::vector<std::int64_t> labelled_classes;
                  for (const auto& cycle : report.cycles) {
                    labelled_classes.resize(cycle.query_class_histogram.size(), 0);
                    for (std::size_t k = 0; k < labelled_classes.size(); ++k) {
                      labelled_classes[k] += cycle.query_class_histogram[k];
                    }
                    accuracy.add(arm, cycle.labelled, cycle.accuracy);
                    balanced_accuracy.add(arm, cycle.labelled, cycle.balanced_accuracy);
                    spread.add(arm, cycle.labelled, lessons::histogram_entropy(labelled_classes));
                  }
                  ++arm;
                }(),
                ...);
          },
          pipelines);
    }
    fmt::print("\n=== long-tailed pool, rho = {} ({} seed{}, device {}) ===\n", rho, seeds,
               seeds == 1 ? "" : "s", device);
    accuracy.print("test accuracy (%), mean ± sd", arms, 100);
    balanced_accuracy.print("balanced accuracy (%), mean ± sd", arms, 100);
    spread.print("entropy of the labelled classes (bits; even: 3.32)", arms, 1);
  }
  fmt::print("\nresults written to {}\n", c.results_dir.string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
