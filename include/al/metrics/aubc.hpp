#pragma once
// AUBC: the area under the budget curve, one number per learning curve.

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace al {

/// Trapezoidal area under accuracy-vs-labelled-count, divided by the budget
/// span (last minus first labelled count): the mean accuracy over the budget,
/// so AUBCs of curves on the same budgets compare like accuracies.
///
/// Example:
///   std::vector<std::int64_t> labelled{100, 200, 300};
///   std::vector<double> accuracy{0.70, 0.78, 0.80};
///   al::aubc(labelled, accuracy);  // (0.74 * 100 + 0.79 * 100) / 200 = 0.765
///
/// Throws std::invalid_argument for fewer than two points, sizes that differ,
/// or labelled counts that do not strictly increase.
inline double aubc(std::span<const std::int64_t> labelled, std::span<const double> accuracy) {
  if (labelled.size() != accuracy.size()) {
    throw std::invalid_argument(
        "aubc: " + std::to_string(labelled.size()) + " labelled counts but " +
        std::to_string(accuracy.size()) + " accuracies; pass one accuracy per labelled count");
  }
  if (labelled.size() < 2) {
    throw std::invalid_argument(
        "aubc: a learning curve needs at least 2 points (got " + std::to_string(labelled.size()) +
        "); run at least one query cycle after the initial set");
  }
  double area = 0;
  for (std::size_t k = 1; k < labelled.size(); ++k) {
    if (labelled[k] <= labelled[k - 1]) {
      throw std::invalid_argument(
          "aubc: labelled counts must strictly increase, but " + std::to_string(labelled[k - 1]) +
          " is followed by " + std::to_string(labelled[k]) +
          "; sort the points by labelled count and merge duplicates");
    }
    const auto width = static_cast<double>(labelled[k] - labelled[k - 1]);
    area += width * (accuracy[k] + accuracy[k - 1]) / 2;
  }
  return area / static_cast<double>(labelled.back() - labelled.front());
}

}  // namespace al
