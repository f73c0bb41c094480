#pragma once
// `prefilter(s, m) >> set_selector` — uncertainty, then diversity: keep the
// m·b top-scored candidates by the scorer s, then let the set selector choose
// the b samples of the query among them (the hybrid of the study-group slides).
//
//   query(prefilter(entropy, 10) >> coreset, 100)   // coreset over the 1000 most uncertain

#include <al/detail/always_false.hpp>
#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/strategy/pt4al.hpp>
#include <al/word_table.hpp>

#include <fmt/format.h>

#include <string>

namespace al::errors {
[[noreturn]] inline void AL019_prefilter_factor(double factor) {
  fail("AL019", fmt::format("prefilter(s, {}) must keep at least the query itself: give a factor "
                            "of 1 or more, e.g. prefilter(entropy, 10) >> coreset",
                            factor));
}
[[noreturn]] inline void AL019_prefilter_factor_too_large(double factor) {
  fail("AL019", fmt::format("prefilter(s, {}) must keep at most {} times the query: give a factor "
                            "between 1 and {}, e.g. prefilter(entropy, 10) >> coreset; to let "
                            "the set selector see the whole pool, use it alone: query(coreset, 100)",
                            factor, limits::max_prefilter_factor, limits::max_prefilter_factor));
}
}  // namespace al::errors

namespace al {

/// prefilter's rule, for both front ends: the factor m lies in
/// [1, limits::max_prefilter_factor] (AL019).
constexpr void check_prefilter_factor(double factor) {
  if (!(factor >= 1)) errors::AL019_prefilter_factor(factor);
  if (!(factor <= limits::max_prefilter_factor)) errors::AL019_prefilter_factor_too_large(factor);
}

/// The plan data of `prefilter(filter, factor) >> chooser`, shared by both front ends.
inline selector_spec prefilter_spec(selector_spec filter, double factor, selector_spec chooser) {
  selector_spec out{"prefilter", filter.needs | chooser.needs,
                    fmt::format("the {:g} x b most {} samples, then {} among them", factor,
                                filter.name, chooser.name)};
  out.inner = {std::move(filter), std::move(chooser)};
  out.parameter = factor;
  return out;
}

/// A scorer and a set selector chained by prefilter(...) >> ...
template <scorer Filter, selector Chooser>
struct prefiltered_t {
  static constexpr std::string_view name = "prefilter";
  static constexpr needs_set needs = Filter::needs | Chooser::needs;
  static constexpr selector_kind kind = selector_kind::set_selector;
  static constexpr std::string_view description = "the top m*b by a scorer, then a set selector";

  Filter filter;
  double factor;
  Chooser chooser;

  selector_spec spec() const { return prefilter_spec(to_spec(filter), factor, to_spec(chooser)); }
  std::string to_text() const {
    return fmt::format("prefilter({}, {}) >> {}", al::to_text(filter), factor, al::to_text(chooser));
  }
};

/// The left half, waiting for `>> set_selector`; not a strategy on its own.
template <scorer Filter>
struct prefilter_half {
  Filter filter;
  double factor;

  template <selector Chooser>
  friend constexpr prefiltered_t<Filter, Chooser> operator>>(prefilter_half half, Chooser chooser) {
    static_assert(Chooser::kind == selector_kind::set_selector, ALPIPE_AL020_MESSAGE);
    return {half.filter, half.factor, chooser};
  }
};

struct prefilter_fn {
  template <scorer Filter>
  constexpr prefilter_half<Filter> operator()(Filter filter, double factor) const {
    detail::assert_nestable<Filter>();
    check_prefilter_factor(factor);
    return {filter, factor};
  }
  template <selector Filter>
    requires(!scorer<Filter>)
  constexpr auto operator()(Filter, double) const {
    static_assert(detail::always_false<Filter>, ALPIPE_AL021_MESSAGE);
  }
};
inline constexpr prefilter_fn prefilter{};

}  // namespace al

namespace al::detail {
inline word_info prefilter_word() {
  word_info info;
  info.spec = {"prefilter", {}, "the m*b top-scored by s, then the set selector among them"};
  info.kind = selector_kind::set_selector;
  info.usage = "prefilter(s, m) >> set";
  info.arguments = {word_argument::scorer("scorer", ALPIPE_AL021_MESSAGE),
                    word_argument::number("factor m", check_prefilter_factor)};
  info.takes_set_selector_after = true;
  info.build = [](std::vector<selector_spec> strategies, std::vector<double> numbers) {
    return prefilter_spec(std::move(strategies[0]), numbers[0], std::move(strategies[1]));
  };
  return info;
}
}  // namespace al::detail

ALPIPE_BUILTIN_WORD(prefilter, detail::prefilter_word())
