#pragma once
// `pt4al(s)` — PT4AL (Yi et al. 2022): the pretext loss as a curriculum.
// The rotation losses of pretraining sort the pool (hardest first) into one
// batch per labelling round; round 0 takes an evenly spaced sample of the
// first batch, and cycle k ranks the still-unlabelled samples of batch k by
// the scorer s (widening to the next batches when batch k runs short).
//
//   pretrain(rotation) | initial(pt4al(least_confidence), 100)
//                      | cycle(6, query(pt4al(least_confidence), 100))
//
// The losses come from `pretrain(rotation)`, which must come first (AL026).
// The batches are rounds of the whole run, so pt4al is the whole strategy
// of its stage: a combinator cannot nest it, nor it a set selector.

#include <al/detail/always_false.hpp>
#include <al/errors.hpp>
#include <al/word_table.hpp>

#include <fmt/format.h>

#include <string>
#include <type_traits>

namespace al {

/// The plan data of `pt4al(inner)`, shared by both front ends; the engine
/// recognises the name and splits the pool by `plan::rounds()`.
inline selector_spec pt4al_spec(selector_spec inner) {
  selector_spec out{"pt4al", inner.needs | need::pretext_loss,
                    fmt::format("PT4AL: the pool sorted by rotation loss, one batch per round; "
                                "round 0 an evenly spaced sample, then the top by {} within the "
                                "round's batch",
                                inner.name)};
  out.inner = {std::move(inner)};
  return out;
}

template <scorer Inner>
struct pt4al_t {
  static constexpr std::string_view name = "pt4al";
  static constexpr needs_set needs = Inner::needs | need::pretext_loss;
  // It ranks the candidates of a round one by one, so it may label the
  // initial set; but it is never nested (AL031).
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "PT4AL: the round's batch of the pool sorted by rotation loss, ranked by a scorer";

  Inner inner;

  selector_spec spec() const { return pt4al_spec(to_spec(inner)); }
  std::string to_text() const { return fmt::format("pt4al({})", al::to_text(inner)); }
};

namespace detail {
template <class T>
struct is_pt4al : std::false_type {};
template <class Inner>
struct is_pt4al<pt4al_t<Inner>> : std::true_type {};

/// AL031, for every combinator that holds other words.
template <class Part>
constexpr void assert_nestable() {
  static_assert(!is_pt4al<Part>::value, ALPIPE_AL031_MESSAGE);
}
}  // namespace detail

struct pt4al_fn {
  template <scorer Inner>
  constexpr pt4al_t<Inner> operator()(Inner inner) const {
    detail::assert_nestable<Inner>();
    return {inner};
  }
  template <selector Inner>
    requires(!scorer<Inner>)
  constexpr auto operator()(Inner) const {
    static_assert(detail::always_false<Inner>, ALPIPE_AL030_MESSAGE);
  }
};
inline constexpr pt4al_fn pt4al{};

}  // namespace al

namespace al::detail {
inline word_info pt4al_word() {
  word_info info;
  info.spec = {"pt4al", {},
               "the round's batch of the pool by rotation loss, ranked by scorer s; needs "
               "pretrain(rotation)"};
  info.kind = selector_kind::scorer;
  info.usage = "pt4al(s)";
  info.arguments = {word_argument::scorer("scorer", ALPIPE_AL030_MESSAGE)};
  info.nestable = false;
  info.build = [](std::vector<selector_spec> strategies, std::vector<double>) {
    return pt4al_spec(std::move(strategies[0]));
  };
  return info;
}
}  // namespace al::detail

ALPIPE_BUILTIN_WORD(pt4al, detail::pt4al_word())
