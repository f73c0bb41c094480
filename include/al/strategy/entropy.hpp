#pragma once
#include <al/word_table.hpp>

namespace al {

/// `entropy` — score −Σ_k p_k log p_k of the softmax; the most uncertain
/// first.
///
/// Example: `cycle(6, query(entropy, 100))`
struct entropy_t {
  static constexpr std::string_view name = "entropy";
  static constexpr needs_set needs = need::probs;
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "largest entropy -sum_k p_k log p_k of the softmax";
};
inline constexpr entropy_t entropy{};

}  // namespace al

ALPIPE_BUILTIN_WORD(entropy, al::entropy)
