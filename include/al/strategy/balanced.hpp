#pragma once
// `balanced(s)` — a query spread evenly over the predicted classes (BASE,
// Emam et al. 2021, generalised to any scorer). Each predicted class c gets
// the quota q_c = ⌊b/K⌋ (+1 for the first b mod K classes) and fills it with
// its top candidates by s; what a class cannot fill (it has too few
// candidates) goes to the others, round-robin in class order.
//
//   query(balanced(entropy), 100)    // 10 per predicted class on 10 classes
//   query(balanced(boundary), 100)   // BASE itself
//
// `balanced(boundary)` is BASE as published, not the generic rule with s =
// boundary: class c ranks *every* candidate by its distance to c's boundary
// (the nearest boundary when c is the prediction), so a class the model
// rarely predicts still gets the samples nearest to it. The classes take
// turns, one pick each, so a sample near two boundaries is not given to the
// first class by its number.
//
// s must rank samples one by one (AL032); nothing here reads the labels.

#include <al/detail/always_false.hpp>
#include <al/errors.hpp>
#include <al/strategy/pt4al.hpp>
#include <al/word_table.hpp>

#include <fmt/format.h>

#include <string>

namespace al {

/// The plan data of `balanced(inner)`, shared by both front ends.
inline selector_spec balanced_spec(selector_spec inner) {
  const bool base = inner.name == "boundary";
  selector_spec out{
      "balanced", inner.needs | need::probs,
      base ? std::string("BASE: an equal quota per class, each filled with the samples closest "
                         "to that class's decision boundary")
           : fmt::format("an equal quota per predicted class, each filled with its top by {}; "
                         "short classes' quota goes to the others",
                         inner.name)};
  out.inner = {std::move(inner)};
  return out;
}

template <scorer Inner>
struct balanced_t {
  static constexpr std::string_view name = "balanced";
  static constexpr needs_set needs = Inner::needs | need::probs;
  // Quotas are a property of the whole query, not of one sample.
  static constexpr selector_kind kind = selector_kind::set_selector;
  static constexpr std::string_view description =
      "an equal quota per predicted class, filled by a scorer";

  Inner inner;

  selector_spec spec() const { return balanced_spec(to_spec(inner)); }
  std::string to_text() const { return fmt::format("balanced({})", al::to_text(inner)); }
};

struct balanced_fn {
  template <scorer Inner>
  constexpr balanced_t<Inner> operator()(Inner inner) const {
    detail::assert_nestable<Inner>();
    return {inner};
  }
  template <selector Inner>
    requires(!scorer<Inner>)
  constexpr auto operator()(Inner) const {
    static_assert(detail::always_false<Inner>, ALPIPE_AL032_BALANCED_MESSAGE);
  }
};
inline constexpr balanced_fn balanced{};

}  // namespace al

namespace al::detail {
inline word_info balanced_word() {
  word_info info;
  info.spec = {"balanced", {},
               "an equal quota per predicted class, each filled by scorer s; balanced(boundary) "
               "is BASE"};
  info.kind = selector_kind::set_selector;
  info.usage = "balanced(s)";
  info.arguments = {word_argument::scorer("scorer", ALPIPE_AL032_BALANCED_MESSAGE)};
  info.build = [](std::vector<selector_spec> strategies, std::vector<double>) {
    return balanced_spec(std::move(strategies[0]));
  };
  return info;
}
}  // namespace al::detail

ALPIPE_BUILTIN_WORD(balanced, detail::balanced_word())
