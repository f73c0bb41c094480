#pragma once
#include <al/word_table.hpp>

namespace al {

/// `probcover` — ProbCover (Yehuda, Dekel, Hacohen & Weinshall, NeurIPS
/// 2022): for small budgets, cover the embedding. Every sample's ball of
/// radius δ holds the samples closer than δ; the labelled samples' balls
/// count as covered, and each pick is the candidate whose ball holds the
/// most samples not yet covered (greedy max coverage on the δ-neighbourhood
/// graph). δ comes from the paper's purity rule: k-means with one cluster
/// per class, and the largest δ at which 95% of the balls hold a single
/// cluster. When everything is covered, the rest of the query is drawn at
/// random. A set selector.
///
/// Example: `initial(probcover, 10) | cycle(4, query(probcover, 20))`
struct probcover_t {
  static constexpr std::string_view name = "probcover";
  static constexpr needs_set needs = need::encoder_embedding;
  static constexpr selector_kind kind = selector_kind::set_selector;
  /// Chooses the initial set too: it needs no labels (cold_start_selector).
  static constexpr bool starts_cold = true;
  static constexpr std::string_view description =
      "greedy max coverage of the embedding by balls of radius delta (purity 0.95)";
};
inline constexpr probcover_t probcover{};

}  // namespace al

ALPIPE_BUILTIN_WORD(probcover, al::probcover)
