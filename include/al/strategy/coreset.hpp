#pragma once
#include <al/word_table.hpp>

namespace al {

/// `coreset` — greedy k-center on the embedding (Sener & Savarese 2018):
/// starting from the labelled set, repeatedly pick the sample farthest from
/// every chosen one. A set selector: it chooses the whole query at once, so
/// it cannot be nested where per-sample scores are needed.
///
/// Example: `cycle(6, query(coreset, 100))`,
///          `query(prefilter(entropy, 10) >> coreset, 100)`
struct coreset_t {
  static constexpr std::string_view name = "coreset";
  static constexpr needs_set needs = need::embedding;
  static constexpr selector_kind kind = selector_kind::set_selector;
  static constexpr std::string_view description =
      "greedy k-center on the embedding, from the labelled set";
};
inline constexpr coreset_t coreset{};

}  // namespace al

ALPIPE_BUILTIN_WORD(coreset, al::coreset)
