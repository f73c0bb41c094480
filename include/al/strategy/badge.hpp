#pragma once
#include <al/word_table.hpp>

namespace al {

/// `badge` — k-means++ seeding on gradient embeddings (Ash et al. 2020):
/// g = (p − e_ŷ) ⊗ h, large where the model is uncertain, spread out by the
/// seeding. A set selector.
///
/// Example: `cycle(6, query(badge, 100))`
struct badge_t {
  static constexpr std::string_view name = "badge";
  static constexpr needs_set needs = needs_set{need::probs} | need::embedding;
  static constexpr selector_kind kind = selector_kind::set_selector;
  static constexpr std::string_view description =
      "k-means++ seeding on gradient embeddings (p - e_y) x h";
};
inline constexpr badge_t badge{};

}  // namespace al

ALPIPE_BUILTIN_WORD(badge, al::badge)
