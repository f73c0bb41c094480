#pragma once
// The pairwise penalty matrix (Ash et al. 2020, BADGE; used by Lüth et al.
// 2023 and Ji et al. 2023): how much of the learning curve strategy i beats
// strategy j significantly, one paired t test per labelled count.

#include <al/metrics/learning_curve.hpp>
#include <al/metrics/paired_test.hpp>

#include <cstddef>
#include <span>
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
std::vector<std::vector<double>> penalty_matrix(std::span<const seed_curves> strategies,
                                                double alpha = 0.05);

/// Column sums of a penalty matrix: how much, summed over opponents, each
/// strategy loses.
std::vector<double> penalty_column_sums(const std::vector<std::vector<double>>& penalty);

}  // namespace al
