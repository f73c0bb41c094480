#pragma once
#include <al/word_table.hpp>

namespace al {

/// `boundary` — BASE's distance to the decision boundary (Emam et al. 2021).
/// From the linear head (W, b) and the embedding h, with ŷ the prediction,
/// d_c = |(w_ŷ − w_c)·h + (b_ŷ − b_c)| / ||w_ŷ − w_c|| for every c ≠ ŷ; the
/// score is −min_c d_c, so the samples closest to a boundary come first.
/// Inside `balanced(...)` it is BASE itself: class c ranks every candidate by
/// its distance to c's boundary (see balanced.hpp).
///
/// Example: `cycle(6, query(balanced(boundary), 100))`
struct boundary_t {
  static constexpr std::string_view name = "boundary";
  static constexpr needs_set needs = needs_set{need::embedding} | need::head_weights;
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "smallest distance from h to a decision boundary of the linear head (BASE)";
};
inline constexpr boundary_t boundary{};

}  // namespace al

ALPIPE_BUILTIN_WORD(boundary, al::boundary)
