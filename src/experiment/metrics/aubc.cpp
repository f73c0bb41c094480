// The area under a budget curve, by trapezoids.

#include <al/metrics/aubc.hpp>

#include <range/v3/numeric/accumulate.hpp>
#include <range/v3/view/sliding.hpp>
#include <range/v3/view/transform.hpp>
#include <range/v3/view/zip.hpp>

#include <stdexcept>
#include <string>

namespace al {

double aubc(std::span<const std::int64_t> labelled, std::span<const double> accuracy) {
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
  // One trapezoid per pair of neighbouring points, summed left to right.
  const auto trapezoid = [](const auto& pair) {
    const auto [left_labelled, left_accuracy] = pair[0];
    const auto [right_labelled, right_accuracy] = pair[1];
    if (right_labelled <= left_labelled) {
      throw std::invalid_argument(
          "aubc: labelled counts must strictly increase, but " + std::to_string(left_labelled) +
          " is followed by " + std::to_string(right_labelled) +
          "; sort the points by labelled count and merge duplicates");
    }
    return static_cast<double>(right_labelled - left_labelled) * (right_accuracy + left_accuracy) / 2;
  };
  const double area = ranges::accumulate(
      ranges::views::zip(labelled, accuracy) | ranges::views::sliding(2) |
          ranges::views::transform(trapezoid),
      0.0);
  return area / static_cast<double>(labelled.back() - labelled.front());
}

}  // namespace al
