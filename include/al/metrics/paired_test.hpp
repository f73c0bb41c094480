#pragma once
// The paired t test over seeds: the same seed gives both arms the same start,
// so the per-seed differences cancel the seed's luck.

#include <al/metrics/learning_curve.hpp>
#include <al/metrics/student_t.hpp>

#include <cstddef>
#include <optional>
#include <span>

namespace al {

/// Why a paired test did or did not give a t statistic.
enum class paired_outcome {
  tested,         // t and p are set
  too_few_pairs,  // n < 2: no spread to estimate
  no_spread,      // every pair differs by the same amount (identical runs: by 0): t undefined
};

struct paired_test_result {
  std::size_t n = 0;             // pairs (seeds)
  double mean_difference = 0;    // mean of a - b
  double sd_difference = 0;      // sample standard deviation of a - b
  std::size_t df = 0;            // n - 1 (0 when n < 2)
  paired_outcome outcome = paired_outcome::too_few_pairs;
  std::optional<double> t;       // mean / (sd / sqrt(n)), when tested
  std::optional<double> p;       // two-sided, from Student's t with df, when tested

  /// Significant at level alpha: only a real test can be.
  [[nodiscard]] bool significant(double alpha = 0.05) const { return p && *p < alpha; }
};

/// Paired two-sided t test of a against b; a[s] and b[s] come from the same
/// seed.
///
/// Example: a = {0.80, 0.82, 0.84}, b = {0.78, 0.81, 0.80}: differences
/// {0.02, 0.01, 0.04}, mean 0.02333, sd 0.01528, t = 2.646, df 2, p = 0.118.
///
/// A spread below 1e-12 counts as none: differences equal up to rounding
/// would otherwise give an arbitrarily large t.
paired_test_result paired_t_test(std::span<const double> a, std::span<const double> b);

}  // namespace al
