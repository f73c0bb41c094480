#pragma once
#include <al/pipeline.hpp>
#include <al/strategy/selector.hpp>

#include <cstdint>

namespace al {

/// One query: score the unlabelled pool, select `count` samples with
/// `selector`, ask the oracle for their labels; then the model is retrained.
template <selector S>
struct query_stage : stage_base {
  S selector;
  std::int64_t count = 0;

  static constexpr needs_set needs = S::needs;
  void lower_into(detail::plan_builder& b) const { b.add_query(to_spec(selector), count); }
};

/// `query(selector, n)` — a query of n labels, usually inside `cycle(...)`.
///
/// Example: `cycle(6, query(margin, 100))`
struct query_fn {
  template <selector S>
  constexpr query_stage<S> operator()(S selector, std::int64_t count) const {
    return {{}, selector, count};
  }
};
inline constexpr query_fn query{};

}  // namespace al
