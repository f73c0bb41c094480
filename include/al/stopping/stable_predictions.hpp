#pragma once
// `stable_predictions` — stop when the model has stopped changing its mind
// (Bloodgood and Vijay-Shanker, "A Method for Stopping Active Learning Based
// on Stabilizing Predictions and the Need for User-Adjustable Stopping",
// CoNLL 2009). After every cycle the run predicts a fixed stop set — 2000
// pool samples drawn once from the seed, labelled or not — and compares the
// predictions with the previous cycle's by Cohen's kappa; once the mean
// kappa of the last k cycles reaches the threshold, more labels are not
// changing the model much. It needs no labels beyond the queries: the rule
// for a person paying per label. The paper's defaults: kappa 0.99, k 3.
//
//   cycle(until(stable_predictions, 30), query(margin, 20))
//   cycle(until(stable_predictions.kappa(0.95).cycles(2), 30), query(margin, 20))

#include <al/stopping_rule.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace al {

namespace errors {
[[noreturn]] inline void AL041_stable_predictions_kappa(double kappa) {
  fail("AL041", fmt::format("stable_predictions.kappa({:g}): the agreement to reach lies in "
                            "(0, 1], e.g. .kappa(0.99)",
                            kappa));
}
}  // namespace errors

/// stable_predictions' rule for its kappa, for both front ends (AL041).
constexpr void check_stable_predictions_kappa(double kappa) {
  if (!(kappa > 0 && kappa <= 1)) errors::AL041_stable_predictions_kappa(kappa);
}

/// Whether the mean kappa of the last `rule.window` cycles reaches
/// `rule.threshold` (src/stopping/stable_predictions.cpp).
bool stable_predictions_fire(const stopping_rule& rule, std::span<const stopping_evidence> so_far);

struct stable_predictions_t {
  static constexpr std::string_view name = "stable_predictions";
  double threshold = 0.99;
  std::int64_t window = 3;

  [[nodiscard]] constexpr stable_predictions_t kappa(double k) const {
    check_stable_predictions_kappa(k);
    auto out = *this;
    out.threshold = k;
    return out;
  }
  [[nodiscard]] constexpr stable_predictions_t cycles(std::int64_t k) const {
    check_stopping_window(name, k);
    auto out = *this;
    out.window = k;
    return out;
  }
  [[nodiscard]] stopping_rule rule() const {
    return {std::string(name),
            fmt::format("predictions stable: mean Cohen's kappa between successive models on a "
                        "stop set of {} pool samples >= {:g} over the last {} cycle{}",
                        stop_set_size, threshold, window, window == 1 ? "" : "s"),
            threshold, window};
  }
  [[nodiscard]] std::string to_text() const { return detail::windowed_rule_text(*this, "kappa"); }
};
inline constexpr stable_predictions_t stable_predictions{};

namespace detail {
inline stopping_rule_info stable_predictions_entry() {
  return windowed_rule_entry("kappa", &stable_predictions_t::kappa, stable_predictions_fire);
}
}  // namespace detail

}  // namespace al

ALPIPE_BUILTIN_STOPPING_RULE(stable_predictions, al::detail::stable_predictions_entry())
