#pragma once
// `class_balanced(s, λ)` — CBAL (Bengar et al., WACV 2022): uncertainty with
// a pull towards the classes the labelled set lacks. It chooses the query z
// to minimise  Σ_j z_j·U_j + λ·||Ω − Pᵀz||₁,  with U_j = −s_j (for entropy,
// Σ p log p as in the paper), P the candidates' softmax and Ω_c =
// max(0, ⌊(|L| + b)/K⌋ − n_c) what class c lacks of an even share (n_c: its
// labelled count). A greedy solver adds one sample per step.
//
//   query(class_balanced(entropy, 0.6), 100)   // the paper's λ for CIFAR-10
//
// λ = 0 is the scorer's own top-b; a larger λ trades uncertainty for balance.

#include <al/detail/always_false.hpp>
#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/strategy/pt4al.hpp>
#include <al/word_table.hpp>

#include <fmt/format.h>

#include <string>

namespace al::errors {
[[noreturn]] inline void AL033_class_balanced_lambda(double lambda) {
  fail("AL033", fmt::format("class_balanced(s, {}): the weight lambda of the balance term must "
                            "be 0 or more (0: the scorer's top-b alone), e.g. "
                            "class_balanced(entropy, 0.6)",
                            lambda));
}
[[noreturn]] inline void AL033_class_balanced_lambda_too_large(double lambda) {
  fail("AL033", fmt::format("class_balanced(s, {}): the weight lambda of the balance term must "
                            "be at most {} (0.6 is the paper's value for CIFAR-10), e.g. "
                            "class_balanced(entropy, 0.6)",
                            lambda, limits::max_balance_weight));
}
}  // namespace al::errors

namespace al {

/// class_balanced's rule, for both front ends: λ lies in
/// [0, limits::max_balance_weight] (AL033).
constexpr void check_class_balanced_lambda(double lambda) {
  if (!(lambda >= 0)) errors::AL033_class_balanced_lambda(lambda);
  if (!(lambda <= limits::max_balance_weight)) errors::AL033_class_balanced_lambda_too_large(lambda);
}

/// The plan data of `class_balanced(inner, lambda)`, shared by both front ends.
inline selector_spec class_balanced_spec(selector_spec inner, double lambda) {
  selector_spec out{"class_balanced", inner.needs | need::probs,
                    fmt::format("CBAL: greedy, each pick minimises -{} + {:g} x the L1 gap "
                                "between the labelled classes and an even share",
                                inner.name, lambda)};
  out.inner = {std::move(inner)};
  out.parameter = lambda;
  return out;
}

template <scorer Inner>
struct class_balanced_t {
  static constexpr std::string_view name = "class_balanced";
  static constexpr needs_set needs = Inner::needs | need::probs;
  static constexpr selector_kind kind = selector_kind::set_selector;
  static constexpr std::string_view description =
      "CBAL: a scorer's uncertainty plus lambda x the class imbalance of the labelled set";

  Inner inner;
  double lambda;

  selector_spec spec() const { return class_balanced_spec(to_spec(inner), lambda); }
  std::string to_text() const {
    return fmt::format("class_balanced({}, {})", al::to_text(inner), lambda);
  }
};

struct class_balanced_fn {
  template <scorer Inner>
  constexpr class_balanced_t<Inner> operator()(Inner inner, double lambda) const {
    detail::assert_nestable<Inner>();
    check_class_balanced_lambda(lambda);
    return {inner, lambda};
  }
  template <selector Inner>
    requires(!scorer<Inner>)
  constexpr auto operator()(Inner, double) const {
    static_assert(detail::always_false<Inner>, ALPIPE_AL032_CLASS_BALANCED_MESSAGE);
  }
};
inline constexpr class_balanced_fn class_balanced{};

}  // namespace al

namespace al::detail {
inline word_info class_balanced_word() {
  word_info info;
  info.spec = {"class_balanced", {},
               "CBAL: uncertainty by s plus l x the labelled set's class imbalance, e.g. "
               "class_balanced(entropy, 0.6)"};
  info.kind = selector_kind::set_selector;
  info.usage = "class_balanced(s, l)";
  info.arguments = {word_argument::scorer("scorer", ALPIPE_AL032_CLASS_BALANCED_MESSAGE),
                    word_argument::number("lambda", check_class_balanced_lambda)};
  info.build = [](std::vector<selector_spec> strategies, std::vector<double> numbers) {
    return class_balanced_spec(std::move(strategies[0]), numbers[0]);
  };
  return info;
}
}  // namespace al::detail

ALPIPE_BUILTIN_WORD(class_balanced, detail::class_balanced_word())
