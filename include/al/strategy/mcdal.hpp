#pragma once
#include <al/word_table.hpp>

namespace al {

/// `mcdal` — maximum classifier discrepancy (Cho et al., MCDAL). Two
/// auxiliary linear heads C1, C2 sit beside the model's head C0 on the
/// detached embedding. Using mcdal anywhere in a pipeline makes every
/// training MCDAL's three-step update on a labelled and an unlabelled batch:
/// (A) the model on cross-entropy; (B) C1, C2 on cross-entropy; (C) C1, C2
/// on cross-entropy minus their discrepancy on the unlabelled batch, so the
/// auxiliary heads disagree wherever the labels allow. The score is
/// ||p1 − p2||₁ + ||p0 − p1||₁ + ||p0 − p2||₁; the largest first.
///
/// Example: `cycle(6, query(mcdal, 100))`
struct mcdal_t {
  static constexpr std::string_view name = "mcdal";
  static constexpr needs_set needs = needs_set{need::probs} | need::aux_heads;
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "largest L1 discrepancy between the head and two auxiliary heads trained to disagree "
      "(MCDAL)";
};
inline constexpr mcdal_t mcdal{};

}  // namespace al

ALPIPE_BUILTIN_WORD(mcdal, al::mcdal)
