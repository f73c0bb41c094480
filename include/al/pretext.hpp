#pragma once
// The pretext words: what `pretrain(...)` learns from unlabelled images.
//
//   pretrain(simsiam) | initial(random, 100) | cycle(6, query(margin, 100))
//   pretrain(rotation) | initial(pt4al(least_confidence), 100) | ...
//
// A pretext word is a small literal type, like a strategy word, but it is
// not a strategy: it goes only into `pretrain(...)` (AL028).

#include <al/plan.hpp>
#include <al/requirements.hpp>
#include <al/rules.hpp>

#include <concepts>
#include <string_view>

namespace al {

/// Any pretext word: its task in the plan and what pretraining with it
/// leaves for later stages.
template <class T>
concept pretext_word = requires {
  { T::task } -> std::convertible_to<pretext>;
  { T::provides } -> std::convertible_to<needs_set>;
};

/// `simsiam` — two augmented views of each image, negative cosine between
/// one view's prediction and the other's projection, with stop-gradient
/// (Chen & He 2021). Options of its own: `.projector(w)`, `.predictor(w)`.
struct simsiam_t {
  static constexpr pretext task = pretext::simsiam;
  static constexpr needs_set provides = provided_by(task);
};
inline constexpr simsiam_t simsiam{};

/// `rotation` — predict which of 4 rotations was applied (Gidaris et al.
/// 2018). Keeps each sample's loss, the pretext loss `pt4al` sorts the pool by.
struct rotation_t {
  static constexpr pretext task = pretext::rotation;
  static constexpr needs_set provides = provided_by(task);
};
inline constexpr rotation_t rotation{};

}  // namespace al
