#pragma once
#include <al/word_table.hpp>

namespace al {

/// `tod` — temporal output discrepancy (Huang et al., ICCV 2021): how much a
/// sample's prediction moved in the last cycle,
/// 0.5·||p(x; w_c) − p(x; w_{c−1})||², the current model against a frozen
/// copy of the previous cycle's; the largest first.
///
/// The method needs the model to carry on from one cycle to the next, so a
/// pipeline with tod warm-starts every training (the plan says so). Its first
/// query comes after one training only, with no previous model to compare
/// against: that query is random, and `explain` says so. Only queries may
/// use tod; `initial(tod, n)` is AL034.
///
/// Example: `cycle(6, query(tod, 100))`; with TOD's semi-supervised loss,
/// `train.cod() | cycle(6, query(tod, 100))`.
struct tod_t {
  static constexpr std::string_view name = "tod";
  static constexpr needs_set needs = needs_set{need::probs} | need::previous_outputs;
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "largest 0.5*||p(x; w_c) - p(x; w_c-1)||^2 against the previous cycle's model (TOD)";
};
inline constexpr tod_t tod{};

}  // namespace al

ALPIPE_BUILTIN_WORD(tod, al::tod)
