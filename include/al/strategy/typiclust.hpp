#pragma once
#include <al/word_table.hpp>

namespace al {

/// `typiclust` — TypiClust (Hacohen, Dekel & Weinshall, ICML 2022): for
/// small budgets, label *typical* samples of regions no label covers yet.
/// The embeddings of the labelled and unlabelled samples are clustered with
/// k-means into |labelled| + query clusters (at most 500, as in the paper's
/// code); clusters with the fewest labelled samples come first, larger
/// before smaller, and from each in turn the candidate with the highest
/// typicality is taken: the inverse of its mean squared distance to its 20
/// nearest neighbours in the cluster — the densest spot. A set selector.
///
/// Example: `initial(typiclust, 10) | cycle(4, query(typiclust, 20))`
struct typiclust_t {
  static constexpr std::string_view name = "typiclust";
  static constexpr needs_set needs = need::encoder_embedding;
  static constexpr selector_kind kind = selector_kind::set_selector;
  /// Chooses the initial set too: it needs no labels (cold_start_selector).
  static constexpr bool starts_cold = true;
  static constexpr std::string_view description =
      "the most typical sample of each uncovered k-means cluster of the embedding";
};
inline constexpr typiclust_t typiclust{};

}  // namespace al

ALPIPE_BUILTIN_WORD(typiclust, al::typiclust)
