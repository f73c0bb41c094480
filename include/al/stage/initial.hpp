#pragma once
#include <al/pipeline.hpp>
#include <al/strategy/selector.hpp>

#include <cstdint>

namespace al {

/// Labels the first `count` samples of the run, chosen by `selector`.
/// For one seed, every pipeline in a comparison gets the same initial set.
template <scorer S>
struct initial_stage : stage_base {
  S selector;
  std::int64_t count = 0;

  static constexpr needs_set needs = S::needs;
  void lower_into(detail::plan_builder& b) const { b.add_initial(to_spec(selector), count); }
};

/// `initial(selector, n)` — the labelled set every run starts from.
///
/// Example: `initial(random, 100) | cycle(6, query(entropy, 100))`
struct initial_fn {
  template <scorer S>
  constexpr initial_stage<S> operator()(S selector, std::int64_t count) const {
    return {{}, selector, count};
  }
};
inline constexpr initial_fn initial{};

}  // namespace al
