#pragma once
// pipeline<Stages...> and operator| — how stages compose.
//
// Stages are small literal types; `a | b` builds a pipeline holding them in
// order (a Boost.Hana tuple), and `pipeline | stage`, `stage | pipeline`,
// `pipeline | pipeline` concatenate, like range-v3's view closures. The
// operator is a hidden friend of `pipe_base`, found only by ADL on DSL types.

#include <al/detail/plan_builder.hpp>
#include <al/requirements.hpp>

#include <boost/hana/concat.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include <concepts>
#include <type_traits>

namespace al {

struct pipe_base;

/// Base of every stage type (initial, train, query, cycle).
struct stage_base;

/// A type is a stage when it derives from `stage_base` and can lower itself.
template <class T>
concept stage = std::derived_from<T, stage_base> &&
                requires(const T& s, detail::plan_builder& b) { s.lower_into(b); };

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
    return detail::make_pipeline(boost::hana::concat(detail::as_pipeline(left).stages,
                                                     detail::as_pipeline(right).stages));
  }
};

struct stage_base : pipe_base {};

/// A sequence of stages, e.g. `initial(random, 100) | cycle(6, query(entropy, 100))`.
template <stage... Stages>
struct pipeline : pipe_base {
  boost::hana::tuple<Stages...> stages;

  /// Union of what every strategy in the pipeline needs from the model.
  static constexpr needs_set needs = (needs_set{} | ... | Stages::needs);

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

/// Lowers a typed pipeline to the plan the engine runs.
template <pipeable P>
plan lower(const P& p) {
  detail::plan_builder builder;
  p.lower_into(builder);
  return builder.finish();
}

}  // namespace al
