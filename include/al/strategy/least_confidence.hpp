#pragma once
#include <al/word_table.hpp>

namespace al {

/// `least_confidence` — score 1 − max_k p_k; the least confident first.
///
/// Example: `cycle(6, query(least_confidence, 100))`
struct least_confidence_t {
  static constexpr std::string_view name = "least_confidence";
  static constexpr needs_set needs = need::probs;
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "largest 1 - max_k p_k (least confident first)";
};
inline constexpr least_confidence_t least_confidence{};

}  // namespace al

ALPIPE_BUILTIN_WORD(least_confidence, al::least_confidence)
