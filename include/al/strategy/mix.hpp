#pragma once
// `mix(a, b, r)` — a fraction r of the query chosen by a, the rest by b
// from what a left, never the same sample twice.
//
//   query(mix(entropy, random, 0.5), 100)   // 50 by entropy, 50 at random

#include <al/errors.hpp>
#include <al/strategy/pt4al.hpp>
#include <al/word_table.hpp>

#include <fmt/format.h>

#include <string>

namespace al::errors {
[[noreturn]] inline void AL022_mix_fraction(double fraction) {
  fail("AL022", fmt::format("mix(a, b, {}): the fraction chosen by a must lie in [0, 1], "
                            "e.g. mix(entropy, random, 0.5)",
                            fraction));
}
}  // namespace al::errors

namespace al {

/// mix's rule, for both front ends: the fraction lies in [0, 1] (AL022).
constexpr void check_mix_fraction(double fraction) {
  if (!(fraction >= 0 && fraction <= 1)) errors::AL022_mix_fraction(fraction);
}

/// The plan data of `mix(first, second, fraction)`, shared by both front ends.
inline selector_spec mix_spec(selector_spec first, selector_spec second, double fraction) {
  selector_spec out{"mix", first.needs | second.needs,
                    fmt::format("{:g} of the query by {}, the rest by {}", fraction, first.name,
                                second.name)};
  out.inner = {std::move(first), std::move(second)};
  out.parameter = fraction;
  return out;
}

template <selector First, selector Second>
struct mix_t {
  static constexpr std::string_view name = "mix";
  static constexpr needs_set needs = First::needs | Second::needs;
  static constexpr selector_kind kind = selector_kind::set_selector;
  static constexpr std::string_view description = "a fraction r by one strategy, the rest by another";

  First first;
  Second second;
  double fraction;

  selector_spec spec() const { return mix_spec(to_spec(first), to_spec(second), fraction); }
  std::string to_text() const {
    return fmt::format("mix({}, {}, {})", al::to_text(first), al::to_text(second), fraction);
  }
};

struct mix_fn {
  template <selector First, selector Second>
  constexpr mix_t<First, Second> operator()(First first, Second second, double fraction) const {
    detail::assert_nestable<First>();
    detail::assert_nestable<Second>();
    check_mix_fraction(fraction);
    return {first, second, fraction};
  }
};
inline constexpr mix_fn mix{};

}  // namespace al

namespace al::detail {
inline word_info mix_word() {
  word_info info;
  info.spec = {"mix", {}, "r*b samples by a, the rest by b, never the same sample twice"};
  info.kind = selector_kind::set_selector;
  info.usage = "mix(a, b, r)";
  info.arguments = {word_argument::strategy("first strategy"),
                    word_argument::strategy("second strategy"),
                    word_argument::number("fraction r", check_mix_fraction)};
  info.build = [](std::vector<selector_spec> strategies, std::vector<double> numbers) {
    return mix_spec(std::move(strategies[0]), std::move(strategies[1]), numbers[0]);
  };
  return info;
}
}  // namespace al::detail

ALPIPE_BUILTIN_WORD(mix, detail::mix_word())
