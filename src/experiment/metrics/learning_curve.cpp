// Summaries of values and of learning curves over seeds.

#include <al/metrics/learning_curve.hpp>

#include <range/v3/algorithm/adjacent_find.hpp>
#include <range/v3/numeric/accumulate.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/transform.hpp>

#include <cmath>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>

namespace al {

sample_summary summarize(std::span<const double> values) {
  sample_summary out;
  out.n = values.size();
  if (values.empty()) return out;
  out.mean = ranges::accumulate(values, 0.0) / static_cast<double>(out.n);
  if (out.n < 2) return out;
  const auto squared_deviation = [mean = out.mean](double v) { return (v - mean) * (v - mean); };
  const double squares =
      ranges::accumulate(values | ranges::views::transform(squared_deviation), 0.0);
  out.std = std::sqrt(squares / static_cast<double>(out.n - 1));
  return out;
}

void check_seed_curves(const seed_curves& curves) {
  if (const auto out_of_order = ranges::adjacent_find(curves.labelled, std::greater_equal{});
      out_of_order != curves.labelled.end()) {
    throw std::invalid_argument("seed_curves: labelled counts must strictly increase, but " +
                                std::to_string(*out_of_order) + " is followed by " +
                                std::to_string(*std::next(out_of_order)) +
                                "; sort the points and merge duplicates");
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

std::vector<double> accuracies_at(const seed_curves& curves, std::size_t point) {
  return curves.by_seed |
         ranges::views::transform([point](const auto& seed) { return seed[point]; }) |
         ranges::to<std::vector>();
}

std::vector<curve_point> mean_curve(const seed_curves& curves) {
  check_seed_curves(curves);
  std::vector<curve_point> out;
  out.reserve(curves.labelled.size());
  for (std::size_t k = 0; k < curves.labelled.size(); ++k) {
    const auto summary = summarize(accuracies_at(curves, k));
    out.push_back({curves.labelled[k], summary.mean, summary.std, summary.n});
  }
  return out;
}

}  // namespace al
