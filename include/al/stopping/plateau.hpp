#pragma once
// `plateau` — stop when test accuracy has stopped rising: once the accuracy
// after this cycle is less than `gain` above the accuracy `k` cycles ago.
// It reads a held-out labelled split (the run's test split), so in a
// simulation it is the yardstick the other rules are judged by; a person
// labelling a real pool has such a split only if they label one apart, and
// stopping on the split the results are reported on makes those results a
// little optimistic. Defaults: half a point over 3 cycles.
//
//   cycle(until(plateau, 30), query(margin, 20))
//   cycle(until(plateau.gain(0.01).cycles(2), 30), query(margin, 20))

#include <al/stopping_rule.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace al {

/// plateau's rule for its gain, for both front ends (AL041).
constexpr void check_plateau_gain(double gain) {
  if (!(gain > 0 && gain <= 1)) {
    errors::AL041_stopping_option(
        fmt::format("plateau.gain({:g})", gain),
        "the gain is a fraction of accuracy in (0, 1]: .gain(0.005) is half a point");
  }
}

/// Whether accuracy rose by less than `rule.threshold` over the last
/// `rule.window` cycles (src/stopping/plateau.cpp).
bool plateau_fires(const stopping_rule& rule, std::span<const stopping_evidence> so_far);

struct plateau_t {
  static constexpr std::string_view name = "plateau";
  double threshold = 0.005;
  std::int64_t window = 3;

  [[nodiscard]] constexpr plateau_t gain(double g) const {
    check_plateau_gain(g);
    auto out = *this;
    out.threshold = g;
    return out;
  }
  [[nodiscard]] constexpr plateau_t cycles(std::int64_t k) const {
    check_stopping_window(name, k);
    auto out = *this;
    out.window = k;
    return out;
  }
  [[nodiscard]] stopping_rule rule() const {
    return {std::string(name),
            fmt::format("accuracy plateau: test accuracy less than {:g} points above its value {} "
                        "cycle{} earlier",
                        100 * threshold, window, window == 1 ? "" : "s"),
            threshold, window};
  }
  [[nodiscard]] std::string to_text() const {
    std::string out(name);
    if (threshold != plateau_t{}.threshold) out += detail::stopping_option_text("gain", threshold);
    if (window != plateau_t{}.window) out += fmt::format(".cycles({})", window);
    return out;
  }
};
inline constexpr plateau_t plateau{};

namespace detail {
inline stopping_rule_info plateau_entry() {
  stopping_rule_info info;
  info.defaults = plateau.rule();
  info.usage = "plateau[.gain(x)][.cycles(k)]";
  info.options = {
      {"gain", false, [](stopping_rule r, double x) { return plateau_t{x, r.window}.gain(x).rule(); }},
      {"cycles", true,
       [](stopping_rule r, double k) {
         return plateau_t{r.threshold, r.window}.cycles(static_cast<std::int64_t>(k)).rule();
       }}};
  info.fires = plateau_fires;
  return info;
}
}  // namespace detail

}  // namespace al

ALPIPE_BUILTIN_STOPPING_RULE(plateau, al::detail::plateau_entry())
