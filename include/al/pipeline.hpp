#pragma once
// pipeline<Stages...> and operator| — how stages compose.
//
// Stages are small literal types; `a | b` builds a pipeline holding them in
// order (a Boost.Hana tuple), and `pipeline | stage`, `stage | pipeline`,
// `pipeline | pipeline` concatenate, like range-v3's view closures. The
// operator is a hidden friend of `pipe_base`, found only by ADL on DSL types.

#include <al/detail/always_false.hpp>
#include <al/detail/plan_builder.hpp>
#include <al/requirements.hpp>
#include <al/rules.hpp>
#include <al/strategy/selector.hpp>

#include <boost/hana/concat.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include <array>
#include <concepts>
#include <string>
#include <type_traits>

namespace al {

struct pipe_base;

/// Base of every stage type (pretrain, initial, train, query, cycle).
struct stage_base;

/// A type is a stage when it derives from `stage_base`, says what it needs
/// from the model and provides to later stages, and can lower itself.
template <class T>
concept stage = std::derived_from<T, stage_base> &&
                requires(const T& s, detail::plan_builder& b) {
                  { T::kind } -> std::convertible_to<stage_kind>;
                  { T::needs } -> std::convertible_to<needs_set>;
                  { T::provides } -> std::convertible_to<needs_set>;
                  s.lower_into(b);
                };

template <stage... Stages>
struct pipeline;

namespace detail {
template <class T>
struct is_pipeline : std::false_type {};
template <class... S>
struct is_pipeline<pipeline<S...>> : std::true_type {};
}  // namespace detail

/// Either a stage or a whole pipeline: what `|` accepts on both sides.
template <class T>
concept pipeable = stage<T> || detail::is_pipeline<T>::value;

namespace detail {
template <stage... S>
constexpr pipeline<S...> make_pipeline(boost::hana::tuple<S...> stages);

/// The stage-order rule (al/rules.hpp) applied to a sequence of stage types.
template <stage... S>
struct stage_order {
  static constexpr stage_kind kinds[] = {S::kind...};
  static constexpr order_check check = check_stage_order(kinds);
  static constexpr bool has_pretrain = ((S::kind == stage_kind::pretrain) || ...);
};

/// The provider rule (al/rules.hpp) applied to a sequence of stage types.
template <stage... S>
struct stage_providers {
  static constexpr stage_needs stages[] = {stage_needs{S::needs, S::provides}...};
  static constexpr provider_check check = check_providers(stages);
};

/// AL026 as a compile error: one static_assert per entry of
/// `al::need_providers`, since a static_assert message must be a literal.
template <class Pipeline>
constexpr void assert_needs_provided() {
  constexpr provider_check check = Pipeline::providers::check;
  static_assert(check.ok || check.missing != need::pretext_loss,
                "AL026: pt4al needs the pretext losses of an earlier pretrain(rotation); start "
                "the pipeline with pretrain(rotation) | initial(...)");
}

template <class T>
constexpr auto as_pipeline(const T& x) {
  if constexpr (is_pipeline<T>::value) {
    return x;
  } else {
    return make_pipeline(boost::hana::make_tuple(x));
  }
}
}  // namespace detail

struct pipe_base {
  template <pipeable L, pipeable R>
  friend constexpr auto operator|(const L& left, const R& right) {
    auto joined = detail::make_pipeline(boost::hana::concat(detail::as_pipeline(left).stages,
                                                            detail::as_pipeline(right).stages));
    using order = typename decltype(joined)::order;
    static_assert(order::check.violation != order_violation::two_initial_stages,
                  "AL007: the pipeline has two initial(...) stages; keep one: the initial set "
                  "is labelled once, before the first cycle");
    static_assert(order::check.violation != order_violation::initial_after_query,
                  "AL008: initial(...) comes after a query; move it to the front: "
                  "initial(random, 100) | cycle(6, query(entropy, 100))");
    static_assert(order::check.violation != order_violation::pretrain_not_first,
                  "AL024: pretraining happens once, before any label: put pretrain(...) first, "
                  "e.g. pretrain(simsiam) | initial(random, 100) | cycle(6, query(entropy, 100))");
    static_assert(order::check.violation != order_violation::two_pretrain_stages,
                  "AL025: the pipeline has two pretrain(...) stages; keep one: the encoder is "
                  "pretrained once, before any label");
    // A pipeline without a pretrain stage may still get one in front
    // (pretrain(rotation) | piece), so a missing provider is final only
    // once the pipeline holds its one pretrain stage; lower() checks the rest.
    if constexpr (order::check.violation == order_violation::none && order::has_pretrain) {
      detail::assert_needs_provided<decltype(joined)>();
    }
    return joined;
  }
  // A strategy word next to a stage: say what to write instead of listing
  // every operator| the compiler tried.
  template <class L, class R>
    requires(selector<L> && pipeable<R>) || (pipeable<L> && selector<R>)
  friend constexpr auto operator|(const L&, const R&) {
    static_assert(detail::always_false<L>,
                  "AL015: a strategy is not a stage; wrap it in a stage: query(entropy, 100) "
                  "or initial(random, 100)");
  }
};

struct stage_base : pipe_base {};

/// A sequence of stages, e.g. `initial(random, 100) | cycle(6, query(entropy, 100))`.
template <stage... Stages>
struct pipeline : pipe_base {
  boost::hana::tuple<Stages...> stages;

  using order = detail::stage_order<Stages...>;
  using providers = detail::stage_providers<Stages...>;

  /// Union of what every strategy in the pipeline needs from the model.
  static constexpr needs_set needs = (needs_set{} | ... | Stages::needs);
  /// Union of what its stages provide to later ones (pretrain(rotation):
  /// the pretext losses).
  static constexpr needs_set provides = (needs_set{} | ... | Stages::provides);

  /// The text DSL spelling, read back by al::parse.
  std::string to_text() const {
    std::string out;
    boost::hana::for_each(stages, [&](const auto& s) {
      if (!out.empty()) out += " | ";
      out += s.to_text();
    });
    return out;
  }

  /// Appends this pipeline's steps to a plan being built.
  void lower_into(detail::plan_builder& builder) const {
    boost::hana::for_each(stages, [&](const auto& s) { s.lower_into(builder); });
  }
};

template <stage... S>
constexpr pipeline<S...> detail::make_pipeline(boost::hana::tuple<S...> stages) {
  pipeline<S...> p;
  p.stages = stages;
  return p;
}

/// What a pipeline (or a single stage) needs from the model, at compile time:
/// `static_assert(al::needs(p).contains(al::need::probs));`
template <pipeable P>
constexpr needs_set needs(const P&) {
  return P::needs;
}

/// The pipeline in the text DSL's grammar: `al::parse(to_string(p))` gives
/// the same plan as `al::lower(p)`.
template <pipeable P>
std::string to_string(const P& p) {
  return p.to_text();
}

/// Lowers a typed pipeline to the plan the engine runs. A need no stage
/// provides (AL026) is a compile error here, for any pipeline.
template <pipeable P>
plan lower(const P& p) {
  detail::assert_needs_provided<decltype(detail::as_pipeline(p))>();
  detail::plan_builder builder;
  p.lower_into(builder);
  return builder.finish();
}

}  // namespace al
