#pragma once
// Composition rules as constexpr functions over plain data.
//
// The typed DSL evaluates them on the stage types at compile time
// (static_assert); al::parse evaluates the very same functions on the stages
// it read, at run time, and points at the offending stage.

#include <cstddef>
#include <span>

namespace al {

/// What a stage does, for the order rules.
enum class stage_kind { initial, train, query, cycle };

enum class order_violation {
  none,
  two_initial_stages,   // AL007
  initial_after_query,  // AL008
};

struct order_check {
  order_violation violation = order_violation::none;
  std::size_t stage = 0;  // index of the offending stage
};

/// Stage order of a pipeline's top level: one initial set at most, and no
/// initial set after a query or a cycle.
constexpr order_check check_stage_order(std::span<const stage_kind> stages) {
  bool seen_initial = false;
  bool seen_query = false;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (stages[i] == stage_kind::initial) {
      if (seen_query) return {order_violation::initial_after_query, i};
      if (seen_initial) return {order_violation::two_initial_stages, i};
      seen_initial = true;
    }
    seen_query = seen_query || stages[i] == stage_kind::query || stages[i] == stage_kind::cycle;
  }
  return {};
}

}  // namespace al
