#pragma once
// AUBC: the area under the budget curve, one number per learning curve.

#include <cstddef>
#include <cstdint>
#include <span>

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
double aubc(std::span<const std::int64_t> labelled, std::span<const double> accuracy);

}  // namespace al
