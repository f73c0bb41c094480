#pragma once
// Learning curves over seeds: one strategy's accuracy at each labelled count
// for every seed, and their mean and spread per budget.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
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
inline sample_summary summarize(std::span<const double> values) {
  sample_summary out;
  out.n = values.size();
  if (values.empty()) return out;
  double sum = 0;
  for (const double v : values) sum += v;
  out.mean = sum / static_cast<double>(out.n);
  if (out.n < 2) return out;
  double squares = 0;
  for (const double v : values) squares += (v - out.mean) * (v - out.mean);
  out.std = std::sqrt(squares / static_cast<double>(out.n - 1));
  return out;
}

/// Throws std::invalid_argument when the table is not a set of curves on
/// the same strictly increasing labelled counts.
inline void check_seed_curves(const seed_curves& curves) {
  for (std::size_t k = 1; k < curves.labelled.size(); ++k) {
    if (curves.labelled[k] <= curves.labelled[k - 1]) {
      throw std::invalid_argument("seed_curves: labelled counts must strictly increase, but " +
                                  std::to_string(curves.labelled[k - 1]) + " is followed by " +
                                  std::to_string(curves.labelled[k]) +
                                  "; sort the points and merge duplicates");
    }
  }
  for (std::size_t s = 0; s < curves.by_seed.size(); ++s) {
    if (curves.by_seed[s].size() != curves.labelled.size()) {
      throw std::invalid_argument(
          "seed_curves: seed #" + std::to_string(s) + " has " +
          std::to_string(curves.by_seed[s].size()) + " accuracies for " +
          std::to_string(curves.labelled.size()) +
          " labelled counts; leave unfinished runs out before aggregating");
    }
  }
}

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
inline std::vector<curve_point> mean_curve(const seed_curves& curves) {
  check_seed_curves(curves);
  std::vector<curve_point> out;
  std::vector<double> column(curves.by_seed.size());
  for (std::size_t k = 0; k < curves.labelled.size(); ++k) {
    for (std::size_t s = 0; s < curves.by_seed.size(); ++s) column[s] = curves.by_seed[s][k];
    const auto summary = summarize(column);
    out.push_back({curves.labelled[k], summary.mean, summary.std, summary.n});
  }
  return out;
}

}  // namespace al
