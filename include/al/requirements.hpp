#pragma once
// What a strategy needs from the model, as a compile-time set.
//
// Each word declares `needs`; a pipeline's union decides what the single
// scoring pass over the pool computes (and, in later stages, which heads the
// model is built with). A pipeline of `entropy` alone never computes
// embeddings.
//
//   static_assert(al::needs(p).contains(al::need::probs));

#include <array>
#include <cstdint>
#include <string_view>

namespace al {

/// One output the model must provide for scoring.
enum class need : std::uint32_t {
  probs = 1u << 0,           // softmax over the classifier head
  embedding = 1u << 1,       // h(x), the input of the classifier head
  // 1u << 2 is unused: no word needs a gradient embedding from the pass
  // (BADGE builds its own from probs and embedding).
  mc_dropout = 1u << 3,      // stochastic passes with dropout active
  aux_heads = 1u << 4,       // extra classifier heads (MCDAL)
  previous_outputs = 1u << 5,  // the previous cycle's model outputs (TOD)
  pretext_loss = 1u << 6,    // per-sample self-supervised loss (PT4AL)
  head_weights = 1u << 7,    // the linear head's (W, b): boundary distances (BASE)
  /// The embedding of the encoder as pretraining left it, computed once per
  /// run, when the plan pretrains; the current model's embedding when it
  /// does not (TypiClust and ProbCover measure typicality and coverage in a
  /// self-supervised space, which fine-tuning on a few labels would bend).
  encoder_embedding = 1u << 8,
};

inline constexpr std::array all_needs{
    need::probs,      need::embedding,    need::mc_dropout,  need::aux_heads,
    need::previous_outputs, need::pretext_loss, need::head_weights, need::encoder_embedding};

/// The spelling used in plans, `explain` and the text DSL.
constexpr std::string_view to_string(need n) {
  switch (n) {
    case need::probs: return "probs";
    case need::embedding: return "embedding";
    case need::mc_dropout: return "mc_dropout";
    case need::aux_heads: return "aux_heads";
    case need::previous_outputs: return "previous_outputs";
    case need::pretext_loss: return "pretext_loss";
    case need::head_weights: return "head_weights";
    case need::encoder_embedding: return "encoder_embedding";
  }
  return "?";
}

/// A set of `need`s, usable in constant expressions.
class needs_set {
 public:
  constexpr needs_set() = default;
  constexpr needs_set(need n) : bits_(static_cast<std::uint32_t>(n)) {}  // NOLINT: a need is a one-element set

  [[nodiscard]] constexpr bool contains(need n) const {
    return (bits_ & static_cast<std::uint32_t>(n)) != 0;
  }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  [[nodiscard]] constexpr std::uint32_t bits() const { return bits_; }

  friend constexpr needs_set operator|(needs_set a, needs_set b) {
    needs_set out;
    out.bits_ = a.bits_ | b.bits_;
    return out;
  }
  friend constexpr bool operator==(needs_set, needs_set) = default;

 private:
  std::uint32_t bits_ = 0;
};

}  // namespace al
