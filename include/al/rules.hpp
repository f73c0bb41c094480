#pragma once
// Composition rules as constexpr functions over plain data.
//
// The typed DSL evaluates them on the stage types at compile time
// (static_assert); al::parse evaluates the very same functions on the stages
// it read, at run time, and points at the offending stage.

#include <al/plan.hpp>
#include <al/requirements.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace al {

/// What a stage does, for the order rules.
enum class stage_kind { pretrain, initial, train, query, cycle };

enum class order_violation {
  none,
  two_initial_stages,    // AL007
  initial_after_query,   // AL008
  pretrain_not_first,    // AL024
  two_pretrain_stages,   // AL025
};

struct order_check {
  order_violation violation = order_violation::none;
  std::size_t stage = 0;  // index of the offending stage
};

/// Stage order of a pipeline's top level: pretraining, if any, comes first
/// and once (it runs before any label); one initial set at most, and no
/// initial set after a query or a cycle.
constexpr order_check check_stage_order(std::span<const stage_kind> stages) {
  bool seen_pretrain = false;
  bool seen_other = false;
  bool seen_initial = false;
  bool seen_query = false;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (stages[i] == stage_kind::pretrain) {
      if (seen_pretrain) return {order_violation::two_pretrain_stages, i};
      if (seen_other) return {order_violation::pretrain_not_first, i};
      seen_pretrain = true;
      continue;
    }
    seen_other = true;
    if (stages[i] == stage_kind::initial) {
      if (seen_query) return {order_violation::initial_after_query, i};
      if (seen_initial) return {order_violation::two_initial_stages, i};
      seen_initial = true;
    }
    seen_query = seen_query || stages[i] == stage_kind::query || stages[i] == stage_kind::cycle;
  }
  return {};
}

// Needs that a stage provides ------------------------------------------------
// Most needs are computed by the scoring pass over the pool. A few can only
// come from an earlier stage (the pretext losses are a by-product of
// pretraining); this table names them and the stage that provides each.

/// A need that only an earlier stage can provide.
struct need_provider {
  need what;
  std::string_view description;  // "the pretext losses", for the message
  std::string_view provider;     // the stage to write, as the text DSL spells it
};

inline constexpr std::array need_providers{
    need_provider{need::pretext_loss, "the pretext losses", "pretrain(rotation)"},
};

/// What a pretraining leaves for later stages: rotation, each sample's loss.
constexpr needs_set provided_by(pretext task) {
  return task == pretext::rotation ? needs_set{need::pretext_loss} : needs_set{};
}

/// The provider entry of `n`, or nullptr when the scoring pass computes it.
constexpr const need_provider* provider_of(need n) {
  for (const auto& entry : need_providers) {
    if (entry.what == n) return &entry;
  }
  return nullptr;
}

/// What one top-level stage needs and provides (a cycle: its body's).
struct stage_needs {
  needs_set needs;
  needs_set provides;
};

struct provider_check {
  bool ok = true;
  need missing = need::probs;  // when !ok: the need nobody provided
  std::size_t stage = 0;       // when !ok: index of the stage that needs it
};

/// Every need that only a stage can provide must be provided by a stage
/// before the one that needs it.
constexpr provider_check check_providers(std::span<const stage_needs> stages) {
  needs_set provided;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    for (const auto& entry : need_providers) {
      if (stages[i].needs.contains(entry.what) && !provided.contains(entry.what)) {
        return {false, entry.what, i};
      }
    }
    provided = provided | stages[i].provides;
  }
  return {};
}

}  // namespace al
