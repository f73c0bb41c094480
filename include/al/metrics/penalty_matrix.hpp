#pragma once
// The pairwise penalty matrix (Ash et al. 2020, BADGE; used by Lüth et al.
// 2023 and Ji et al. 2023): how much of the learning curve strategy i beats
// strategy j significantly, one paired t test per labelled count.

#include <al/metrics/learning_curve.hpp>
#include <al/metrics/paired_test.hpp>

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace al {

/// P[i][j] in [0, 1]: the fraction of the L labelled counts at which
/// strategy i is significantly better than strategy j (two-sided paired t
/// test over seeds at level alpha, mean difference positive). Each such
/// count adds 1/L. The diagonal is 0. A large column sum marks a strategy
/// that often loses.
///
/// Example: two strategies on 3 seeds and 2 labelled counts, equal at the
/// first count and the first ahead by {0.02, 0.03, 0.025} at the second
/// (t = 8.66, df 2, p = 0.013): P[0][1] = 0.5, P[1][0] = 0 — the first beats
/// the second on half the curve.
///
/// Every table must have the same labelled counts and the same seeds in the
/// same order; throws std::invalid_argument otherwise.
inline std::vector<std::vector<double>> penalty_matrix(std::span<const seed_curves> strategies,
                                                       double alpha = 0.05) {
  const std::size_t count = strategies.size();
  std::vector<std::vector<double>> penalty(count, std::vector<double>(count, 0.0));
  if (count == 0) return penalty;
  for (std::size_t i = 0; i < count; ++i) {
    check_seed_curves(strategies[i]);
    if (strategies[i].labelled != strategies[0].labelled) {
      throw std::invalid_argument("penalty_matrix: strategy #" + std::to_string(i) +
                                  " has other labelled counts than strategy #0; compare the "
                                  "strategies on their common budgets only");
    }
    if (strategies[i].by_seed.size() != strategies[0].by_seed.size()) {
      throw std::invalid_argument("penalty_matrix: strategy #" + std::to_string(i) + " has " +
                                  std::to_string(strategies[i].by_seed.size()) +
                                  " seeds, strategy #0 has " +
                                  std::to_string(strategies[0].by_seed.size()) +
                                  "; keep only the seeds every strategy finished");
    }
  }
  const std::size_t points = strategies[0].labelled.size();
  if (points == 0) return penalty;
  const std::size_t seeds = strategies[0].by_seed.size();
  std::vector<double> a(seeds);
  std::vector<double> b(seeds);
  for (std::size_t k = 0; k < points; ++k) {
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t j = 0; j < count; ++j) {
        if (i == j) continue;
        for (std::size_t s = 0; s < seeds; ++s) {
          a[s] = strategies[i].by_seed[s][k];
          b[s] = strategies[j].by_seed[s][k];
        }
        const auto test = paired_t_test(a, b);
        if (test.significant(alpha) && test.mean_difference > 0) {
          penalty[i][j] += 1.0 / static_cast<double>(points);
        }
      }
    }
  }
  return penalty;
}

/// Column sums of a penalty matrix: how much, summed over opponents, each
/// strategy loses.
inline std::vector<double> penalty_column_sums(const std::vector<std::vector<double>>& penalty) {
  std::vector<double> sums(penalty.size(), 0.0);
  for (const auto& row : penalty) {
    for (std::size_t j = 0; j < row.size() && j < sums.size(); ++j) sums[j] += row[j];
  }
  return sums;
}

}  // namespace al
