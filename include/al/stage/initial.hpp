#pragma once
#include <al/detail/always_false.hpp>
#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/pipeline.hpp>
#include <al/pretext.hpp>
#include <al/strategy/selector.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace al {

/// Labels the first `count` samples of the run, chosen by `selector` (a
/// scorer, or a set selector that needs no labels: typiclust, probcover).
/// For one seed, every pipeline in a comparison with the same initial word
/// gets the same initial set.
template <class S>
  requires(scorer<S> || cold_start_selector<S>)
struct initial_stage : stage_base {
  S selector;
  std::int64_t count = 0;

  static constexpr stage_kind kind = stage_kind::initial;
  static constexpr needs_set needs = S::needs;
  static constexpr needs_set provides{};
  void lower_into(detail::plan_builder& b) const { b.add_initial(to_spec(selector), count); }
  std::string to_text() const { return fmt::format("initial({}, {})", al::to_text(selector), count); }
};

/// `initial(selector, n)` — the labelled set every run starts from.
///
/// Example: `initial(random, 100) | cycle(6, query(entropy, 100))`
struct initial_fn {
  template <scorer S>
    requires(!S::needs.contains(need::previous_outputs))
  constexpr initial_stage<S> operator()(S selector, std::int64_t count) const {
    if (count <= 0) errors::AL004_initial_size_not_positive(S::name, count);
    if (count > limits::max_samples) errors::AL038_sample_count_too_large("initial", S::name, count);
    return {{}, selector, count};
  }
  template <scorer S>
    requires(S::needs.contains(need::previous_outputs))
  constexpr auto operator()(S, std::int64_t) const {
    static_assert(detail::always_false<S>,
                  "AL034: initial(...) cannot use tod: it compares the model with the previous "
                  "cycle's, and before the initial set there is no model at all; start with "
                  "initial(random, 100) and use tod in query(...)");
  }
  template <cold_start_selector S>
  constexpr initial_stage<S> operator()(S selector, std::int64_t count) const {
    if (count <= 0) errors::AL004_initial_size_not_positive(S::name, count);
    if (count > limits::max_samples) errors::AL038_sample_count_too_large("initial", S::name, count);
    return {{}, selector, count};
  }
  template <class S>
    requires(selector<S> && !scorer<S> && !cold_start_selector<S>)
  constexpr auto operator()(S, std::int64_t) const {
    static_assert(detail::always_false<S>, ALPIPE_AL023_MESSAGE);
  }
  template <pretext_word S>
  constexpr auto operator()(S, std::int64_t) const {
    static_assert(detail::always_false<S>,
                  "AL028: simsiam and rotation are pretext tasks for pretrain(...), not "
                  "strategies; initial(s, n) takes a strategy word such as random");
  }
  template <class S>
    requires(!selector<S> && !pretext_word<S>)
  constexpr auto operator()(S, std::int64_t) const {
    static_assert(detail::always_false<S>,
                  "AL016: initial(s, n) takes a strategy word such as random, not a stage");
  }
};
inline constexpr initial_fn initial{};

}  // namespace al
