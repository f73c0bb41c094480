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

enum class cycle_body_violation {
  none,
  stage_not_allowed,  // AL011: only query(...) and train stages repeat
  query_count,        // AL012: exactly one query(...) per cycle
};

struct cycle_body_check {
  cycle_body_violation violation = cycle_body_violation::none;
  std::size_t stage = 0;  // AL011: the stage that cannot repeat
  int queries = 0;        // AL012: how many queries the body holds
};

/// What a cycle(n, body) may repeat: query(...) and train stages, with
/// exactly one query. The typed cycle checks it on its body's stage types,
/// the parser on the stages it read.
constexpr cycle_body_check check_cycle_body(std::span<const stage_kind> body) {
  int queries = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != stage_kind::query && body[i] != stage_kind::train) {
      return {cycle_body_violation::stage_not_allowed, i, 0};
    }
    queries += body[i] == stage_kind::query ? 1 : 0;
  }
  if (queries != 1) return {cycle_body_violation::query_count, 0, queries};
  return {};
}

/// How messages name a stage kind.
constexpr std::string_view stage_call(stage_kind kind) {
  switch (kind) {
    case stage_kind::pretrain: return "pretrain(...)";
    case stage_kind::initial: return "initial(...)";
    case stage_kind::train: return "train";
    case stage_kind::query: return "query(...)";
    case stage_kind::cycle: return "cycle(...)";
  }
  return "a stage";
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
