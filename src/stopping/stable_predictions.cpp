// stable_predictions: the mean of the last k kappas against the threshold.
#include <al/stopping/stable_predictions.hpp>

#include <cstddef>

namespace al {

bool stable_predictions_fire(const stopping_rule& rule, std::span<const stopping_evidence> so_far) {
  const auto window = static_cast<std::size_t>(rule.window);
  if (window == 0 || so_far.size() < window) return false;
  double sum = 0;
  for (const auto& cycle : so_far.last(window)) {
    // A cycle without a kappa (the first) cannot show that predictions
    // have settled.
    if (!cycle.agreement) return false;
    sum += *cycle.agreement;
  }
  return sum / static_cast<double>(window) >= rule.threshold;
}

}  // namespace al
