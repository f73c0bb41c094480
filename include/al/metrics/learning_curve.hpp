#pragma once
// Learning curves over seeds: one strategy's accuracy at each labelled count
// for every seed, and their mean and spread per budget. Computed in the
// experiment library (src/experiment/metrics/); link alpipe::experiment.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace al {

/// One strategy's curves: by_seed[s][k] is the accuracy of seed s at
/// labelled[k]. Seed s means the same seed in every table it is compared
/// with: that is what makes the tests paired.
struct seed_curves {
  std::vector<std::int64_t> labelled;
  std::vector<std::vector<double>> by_seed;
};

/// Mean, sample standard deviation (n - 1 in the denominator; 0 for one
/// value) and count of a set of values.
struct sample_summary {
  double mean = 0;
  double std = 0;
  std::size_t n = 0;
};

/// Example: al::summarize(std::vector{0.7, 0.8, 0.9}) gives mean 0.8, std 0.1, n 3.
sample_summary summarize(std::span<const double> values);

/// Throws std::invalid_argument when the table is not a set of curves on
/// the same strictly increasing labelled counts.
void check_seed_curves(const seed_curves& curves);

/// The accuracy of every seed at labelled[point], in seed order: one column
/// of the table, what a paired test at that budget compares.
std::vector<double> accuracies_at(const seed_curves& curves, std::size_t point);

/// One point of the mean learning curve.
struct curve_point {
  std::int64_t labelled = 0;
  double mean = 0;
  double std = 0;  // sample standard deviation over seeds
  std::size_t n = 0;  // seeds
};

/// The mean curve with its spread over seeds, one point per labelled count.
///
/// Example: two seeds {0.70, 0.80} and {0.72, 0.84} at 100 and 200 labels
/// give (100, 0.71, 0.0141, 2) and (200, 0.82, 0.0283, 2).
std::vector<curve_point> mean_curve(const seed_curves& curves);

}  // namespace al
