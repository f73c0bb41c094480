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

namespace errors {
[[noreturn]] inline void AL041_plateau_gain(double gain) {
  fail("AL041", fmt::format("plateau.gain({:g}): the gain is a fraction of accuracy in (0, 1]: "
                            ".gain(0.005) is half a point",
                            gain));
}
}  // namespace errors

/// plateau's rule for its gain, for both front ends (AL041).
constexpr void check_plateau_gain(double gain) {
  if (!(gain > 0 && gain <= 1)) errors::AL041_plateau_gain(gain);
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
  [[nodiscard]] std::string to_text() const { return detail::windowed_rule_text(*this, "gain"); }
};
inline constexpr plateau_t plateau{};

namespace detail {
inline stopping_rule_info plateau_entry() {
  return windowed_rule_entry("gain", &plateau_t::gain, plateau_fires);
}
}  // namespace detail

}  // namespace al

ALPIPE_BUILTIN_STOPPING_RULE(plateau, al::detail::plateau_entry())
