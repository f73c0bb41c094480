#pragma once
// `softrank(s, β)` — stochastic batch acquisition (Kirsch et al., "Stochastic
// Batch Acquisition: A Simple Baseline for Deep Active Learning", TMLR 2023):
// instead of the top-b by the scorer s, sample the query without
// replacement, candidate i with probability ∝ r_i^(−β), where r_i is its rank
// by s (1 for the best). The top-b of a scorer is often a batch of near
// duplicates; sampling by rank keeps most of the scorer's preference while
// spreading the query, at no extra cost. Ranks, not scores, so any scorer's
// scale works the same.
//
//   query(softrank(bald, 1), 100)    // the paper's β = 1
//
// β = 0 is uniform sampling; a large β approaches the scorer's own top-b.
// Sampling uses the Gumbel-top-k trick: the b largest of −β·log r_i + G_i,
// G_i ~ Gumbel(0, 1), from the selection's seeded stream.

#include <al/detail/always_false.hpp>
#include <al/errors.hpp>
#include <al/strategy/pt4al.hpp>
#include <al/word_table.hpp>

#include <fmt/format.h>

#include <string>

namespace al::errors {
[[noreturn]] inline void AL040_softrank_beta(double beta) {
  fail("AL040", fmt::format("softrank(s, {}): the sharpness beta must lie between 0 (uniform "
                            "sampling) and 1000 (the scorer's own top-b), e.g. "
                            "softrank(bald, 1)",
                            beta));
}
}  // namespace al::errors

#define ALPIPE_AL040_SCORER_MESSAGE                                                     \
  "AL040: softrank(s, beta) samples by the ranks of a scorer, which ranks samples one " \
  "by one; a set selector has no ranking: e.g. softrank(entropy, 1)"

namespace al {

/// softrank's rule, for both front ends: β lies in [0, 1000] (AL040).
constexpr void check_softrank_beta(double beta) {
  if (!(beta >= 0 && beta <= 1000)) errors::AL040_softrank_beta(beta);
}

/// The plan data of `softrank(inner, beta)`, shared by both front ends.
inline selector_spec softrank_spec(selector_spec inner, double beta) {
  selector_spec out{"softrank", inner.needs,
                    fmt::format("sampled without replacement, probability proportional to "
                                "rank^-{:g} by {}",
                                beta, inner.name)};
  out.inner = {std::move(inner)};
  out.parameter = beta;
  return out;
}

template <scorer Inner>
struct softrank_t {
  static constexpr std::string_view name = "softrank";
  static constexpr needs_set needs = Inner::needs;
  // A sample of the whole query, drawn at once.
  static constexpr selector_kind kind = selector_kind::set_selector;
  static constexpr std::string_view description =
      "the query sampled with probability proportional to rank^-beta by a scorer";

  Inner inner;
  double beta;

  selector_spec spec() const { return softrank_spec(to_spec(inner), beta); }
  std::string to_text() const {
    return fmt::format("softrank({}, {})", al::to_text(inner), beta);
  }
};

struct softrank_fn {
  template <scorer Inner>
  constexpr softrank_t<Inner> operator()(Inner inner, double beta) const {
    detail::assert_nestable<Inner>();
    check_softrank_beta(beta);
    return {inner, beta};
  }
  template <selector Inner>
    requires(!scorer<Inner>)
  constexpr auto operator()(Inner, double) const {
    static_assert(detail::always_false<Inner>, ALPIPE_AL040_SCORER_MESSAGE);
  }
};
inline constexpr softrank_fn softrank{};

}  // namespace al

namespace al::detail {
inline word_info softrank_word() {
  word_info info;
  info.spec = {"softrank", {},
               "the query sampled by s's ranks, probability proportional to rank^-beta "
               "(Kirsch et al. 2023), e.g. softrank(bald, 1)"};
  info.kind = selector_kind::set_selector;
  info.usage = "softrank(s, beta)";
  info.arguments = {word_argument::scorer("scorer", ALPIPE_AL040_SCORER_MESSAGE),
                    word_argument::number("beta", check_softrank_beta)};
  info.build = [](std::vector<selector_spec> strategies, std::vector<double> numbers) {
    return softrank_spec(std::move(strategies[0]), numbers[0]);
  };
  return info;
}
}  // namespace al::detail

ALPIPE_BUILTIN_WORD(softrank, detail::softrank_word())
