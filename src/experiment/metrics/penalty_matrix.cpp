// The pairwise penalty matrix: one paired t test per pair of strategies and
// labelled count.

#include <al/metrics/penalty_matrix.hpp>

#include <range/v3/view/indices.hpp>

#include <stdexcept>
#include <string>

namespace al {

namespace {

/// Throws unless every table has the first one's labelled counts and seeds.
void check_comparable(std::span<const seed_curves> strategies) {
  for (std::size_t i = 0; i < strategies.size(); ++i) {
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
}

}  // namespace

std::vector<std::vector<double>> penalty_matrix(std::span<const seed_curves> strategies,
                                                double alpha) {
  const std::size_t count = strategies.size();
  std::vector<std::vector<double>> penalty(count, std::vector<double>(count, 0.0));
  if (count == 0) return penalty;
  check_comparable(strategies);
  const std::size_t points = strategies[0].labelled.size();
  for (const auto k : ranges::views::indices(points)) {
    for (const auto i : ranges::views::indices(count)) {
      const auto a = accuracies_at(strategies[i], k);
      for (const auto j : ranges::views::indices(count)) {
        if (i == j) continue;
        const auto test = paired_t_test(a, accuracies_at(strategies[j], k));
        if (test.significant(alpha) && test.mean_difference > 0) {
          penalty[i][j] += 1.0 / static_cast<double>(points);
        }
      }
    }
  }
  return penalty;
}

std::vector<double> penalty_column_sums(const std::vector<std::vector<double>>& penalty) {
  std::vector<double> sums(penalty.size(), 0.0);
  for (const auto& row : penalty) {
    for (std::size_t j = 0; j < row.size() && j < sums.size(); ++j) sums[j] += row[j];
  }
  return sums;
}

}  // namespace al
