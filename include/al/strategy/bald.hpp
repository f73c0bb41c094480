#pragma once
#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/word_table.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace al::errors {

// Kept beside its only word rather than in errors.hpp: the check belongs to
// bald's option, as AL014's belong to train's.
[[noreturn]] inline void AL018_bald_passes_too_few(std::int64_t passes) {
  fail("AL018", fmt::format("bald.passes({}) must be at least 2: mutual information measures "
                            "how stochastic passes disagree, and one pass cannot disagree with "
                            "itself; e.g. bald.passes(20)",
                            passes));
}

[[noreturn]] inline void AL018_bald_passes_too_many(std::int64_t passes) {
  fail("AL018", fmt::format("bald.passes({}) must be at most {}: each pass samples the whole "
                            "pool again, and a few dozen already estimate the disagreement; "
                            "e.g. bald.passes(20)",
                            passes, limits::max_passes));
}

}  // namespace al::errors

namespace al {

/// `bald` — Bayesian active learning by disagreement (Houlsby et al. 2011,
/// with MC dropout as in Gal et al. 2017): the mutual information
/// H[mean_t p_t] - mean_t H[p_t] between the prediction and the weights,
/// estimated from T stochastic passes with dropout active (batch norm stays
/// in eval mode); the largest first. High when the passes are each confident
/// but disagree with one another, not merely when the mean is flat.
///
/// The models get a dropout layer before their head when a pipeline needs
/// it. When that is the model's only dropout, the encoder runs once and only
/// the head is sampled T times, so bald costs about one pass, not T.
///
/// Example: `cycle(6, query(bald, 100))`, `query(bald.passes(50), 100)`
///
/// Options: `.passes(T)` — the number of stochastic passes, at least 2 and
/// at most limits::max_passes (AL018; a compile error in a constexpr
/// pipeline), default 20.
struct bald_t {
  static constexpr std::string_view name = "bald";
  static constexpr needs_set needs = needs_set{need::probs} | need::mc_dropout;
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "largest mutual information H[mean p] - mean H[p] over T MC-dropout passes";
  static constexpr std::int64_t default_passes = 20;

  /// The number of stochastic passes T.
  [[nodiscard]] constexpr std::int64_t passes() const { return passes_; }
  /// A copy that samples `count` passes.
  [[nodiscard]] constexpr bald_t passes(std::int64_t count) const {
    if (count < 2) errors::AL018_bald_passes_too_few(count);
    if (count > limits::max_passes) errors::AL018_bald_passes_too_many(count);
    bald_t copy = *this;
    copy.passes_ = count;
    return copy;
  }

  [[nodiscard]] selector_spec spec() const {
    return selector_spec{
        std::string(name), needs,
        fmt::format("largest mutual information H[mean p] - mean H[p] over {} MC-dropout passes",
                    passes_),
        passes_};
  }
  /// The text DSL spells the default as the bare word.
  [[nodiscard]] std::string to_text() const {
    return passes_ == default_passes ? std::string(name) : fmt::format("bald.passes({})", passes_);
  }

  friend constexpr bool operator==(const bald_t&, const bald_t&) = default;

 private:
  std::int64_t passes_ = default_passes;
};
inline constexpr bald_t bald{};

}  // namespace al

namespace al::detail {
inline word_info bald_word() {
  auto info = describe(al::bald);
  info.options.push_back(
      {"passes", [](std::int64_t passes) { return al::bald.passes(passes).spec(); }});
  return info;
}
}  // namespace al::detail

ALPIPE_BUILTIN_WORD(bald, detail::bald_word())
