#pragma once
// What makes a type a selection strategy word of the DSL.
//
// A strategy is a small literal type with
//   name        — its spelling in the text DSL and in plans,
//   needs       — what the scoring pass must compute for it,
//   kind        — a per-sample scorer (ranks samples one by one, so it can
//                 be nested in combinators) or a set selector (chooses a
//                 whole batch at once, e.g. coreset),
//   description — one line for `explain`.
// The engine looks the word up by name, so a user-defined word works exactly
// like a built-in one once its engine side is registered.

#include <al/plan.hpp>
#include <al/requirements.hpp>

#include <concepts>
#include <string>
#include <string_view>

namespace al {

enum class selector_kind { scorer, set_selector };

/// Any strategy word: a scorer or a set selector.
template <class T>
concept selector = requires {
  { T::name } -> std::convertible_to<std::string_view>;
  { T::needs } -> std::convertible_to<needs_set>;
  { T::kind } -> std::convertible_to<selector_kind>;
  { T::description } -> std::convertible_to<std::string_view>;
};

/// A strategy that gives every sample a score (largest is picked first).
template <class T>
concept scorer = selector<T> && T::kind == selector_kind::scorer;

/// A set selector that needs no labelled set nor trained model to choose
/// from (it declares `static constexpr bool starts_cold = true;`): it can
/// choose the initial set, e.g. typiclust and probcover on a pretrained
/// encoder's embedding.
template <class T>
concept cold_start_selector = selector<T> && T::kind == selector_kind::set_selector &&
                              requires { requires T::starts_cold; };

/// Lowers a strategy word to the plan's plain data.
template <selector S>
selector_spec to_spec(const S& word) {
  if constexpr (requires { word.spec(); }) {
    return word.spec();  // combinators describe their nested words
  } else {
    return selector_spec{std::string(S::name), S::needs, std::string(S::description)};
  }
}

/// A strategy's spelling in the text DSL.
template <selector S>
std::string to_text(const S& word) {
  if constexpr (requires { word.to_text(); }) {
    return word.to_text();  // combinators spell their nested words
  } else {
    return std::string(S::name);
  }
}

}  // namespace al
