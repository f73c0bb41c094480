#pragma once
#include <al/word_table.hpp>

namespace al {

/// `margin` — score −(p₍₁₎ − p₍₂₎): the smallest gap between the two most
/// probable classes first.
///
/// Example: `cycle(6, query(margin, 100))`
struct margin_t {
  static constexpr std::string_view name = "margin";
  static constexpr needs_set needs = need::probs;
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "smallest gap p(1) - p(2) between the two most probable classes first";
};
inline constexpr margin_t margin{};

}  // namespace al

ALPIPE_BUILTIN_WORD(margin, al::margin)
