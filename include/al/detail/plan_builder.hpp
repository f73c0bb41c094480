#pragma once
// Turns stages, in pipeline order, into the expanded steps of a plan.
// Shared by every front end so that both expand a pipeline identically.

#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/plan.hpp>
#include <al/rules.hpp>
#include <al/stopping_rule.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace al::detail {

/// The innermost word of `spec` that needs `n`: for pt4al(least_confidence)
/// and the pretext losses, pt4al — the word the user must read about.
inline std::string_view word_needing(const selector_spec& spec, need n) {
  for (const auto& part : spec.inner) {
    if (part.needs.contains(n)) return word_needing(part, n);
  }
  return spec.name;
}

/// Combinator levels of `spec`: 0 for a plain word, 1 for mix(entropy, random, r).
inline int nesting_of(const selector_spec& spec) {
  int deepest = 0;
  for (const auto& part : spec.inner) deepest = std::max(deepest, nesting_of(part));
  return spec.inner.empty() ? 0 : deepest + 1;
}

/// Words of `spec`, combinators included.
inline std::int64_t words_of(const selector_spec& spec) {
  std::int64_t words = 1;
  for (const auto& part : spec.inner) words += words_of(part);
  return words;
}

/// AL037, for a strategy however it was written (the parser refuses such
/// text while reading it, before it recurses).
inline void check_strategy_size(const selector_spec& spec) {
  if (nesting_of(spec) > limits::max_nesting) errors::AL037_strategy_nested_too_deeply(spec.name);
  if (words_of(spec) > limits::max_strategy_words) errors::AL037_strategy_too_large();
}

class plan_builder {
 public:
  /// Pretraining is the plan's first step and happens once (AL024, AL025).
  void add_pretrain(const pretrain_recipe& recipe) {
    if (has_pretrain_) errors::AL025_two_pretrain_stages();
    if (has_other_stage_) errors::AL024_pretrain_not_first();
    has_pretrain_ = true;
    provided_ = provided_ | provided_by(recipe.pretext);
    plan_.steps.emplace_back(pretrain_step{recipe});
  }

  void set_recipe(const train_recipe& recipe) {
    if (recipe.linear_probe && !has_pretrain_) errors::AL027_linear_probe_without_pretrain();
    if (recipe.probe_first && !has_pretrain_) errors::AL027_probe_first_without_pretrain();
    if (recipe.linear_probe && recipe.consistency_weight > 0) {
      errors::AL035_linear_probe_with("train.cod()");
    }
    if (recipe.linear_probe && uses_auxiliary_heads_) errors::AL035_linear_probe_with("mcdal");
    has_other_stage_ = true;
    recipe_ = recipe;
  }

  void add_initial(selector_spec selector, std::int64_t count) {
    if (cycle_ > 0) errors::AL008_initial_after_query();
    if (has_initial_) errors::AL007_two_initial_stages();
    if (count <= 0) errors::AL004_initial_size_not_positive(selector.name, count);
    if (count > limits::max_samples) {
      errors::AL038_sample_count_too_large("initial", selector.name, count);
    }
    check_strategy_size(selector);
    if (selector.needs.contains(need::previous_outputs)) {
      errors::AL034_previous_model_in_initial(word_needing(selector, need::previous_outputs));
    }
    check_provided(selector);
    has_initial_ = true;
    has_other_stage_ = true;
    plan_.steps.emplace_back(label_initial_step{std::move(selector), count});
    training_due_ = true;
  }

  /// One query outside `cycle(...)` is a cycle of its own.
  void add_query(selector_spec selector, std::int64_t count) {
    if (!has_initial_) errors::AL009_query_before_initial(selector.name, count);
    if (stopping_ended_) errors::AL042_until_not_last();
    if (count <= 0) errors::AL005_query_size_not_positive(selector.name, count);
    if (count > limits::max_samples) errors::AL038_sample_count_too_large("query", selector.name, count);
    check_strategy_size(selector);
    // begin_cycle checks a whole cycle(n, ...) before it is written out;
    // this catches queries outside any cycle, one cycle each.
    if (cycle_ >= limits::max_cycles) errors::AL039_too_many_cycles(std::int64_t{cycle_} + 1);
    check_provided(selector);
    if (selector.needs.contains(need::aux_heads)) {
      if (recipe_.linear_probe) errors::AL035_linear_probe_with("mcdal");
      uses_auxiliary_heads_ = true;
    }
    flush_training();
    if (selector.needs.contains(need::previous_outputs)) {
      uses_previous_model_ = true;
      if (trainings_ < 2) note_no_previous_model(selector);
    }
    ++cycle_;
    stopping_due_ = stopping_;
    plan_.steps.emplace_back(scoring_for(cycle_, selector));
    plan_.steps.emplace_back(select_step{cycle_, std::move(selector), count});
    plan_.steps.emplace_back(label_step{cycle_, count});
    training_due_ = true;
  }

  /// Checks `cycle(count, body)` before its body is lowered `count` times,
  /// so that no count, however large, makes the plan grow past the bound.
  /// With a stopping rule (`until(rule, count)`), every cycle of the stage
  /// ends with a check of the rule, and no stage may follow (AL042).
  void begin_cycle(std::int64_t count, std::optional<stopping_rule> rule = std::nullopt) {
    if (count <= 0) errors::AL006_cycle_count_not_positive(count);
    if (count > limits::max_cycles - cycle_) {
      errors::AL039_too_many_cycles(saturating_add(cycle_, count));
    }
    if (stopping_ended_) errors::AL042_until_not_last();
    stopping_ = std::move(rule);
  }
  void end_cycle() { stopping_ended_ = stopping_.has_value(); }

  /// Trainings are emitted lazily so that a `train(...)` written right after
  /// `initial(...)` (or inside a cycle, after its query) applies to the
  /// training that follows that labelling.
  void flush_training() {
    if (!training_due_) return;
    plan_.steps.emplace_back(train_step{cycle_, recipe_});
    plan_.steps.emplace_back(evaluate_step{cycle_});
    if (stopping_due_) plan_.steps.emplace_back(stop_check_step{cycle_, *stopping_due_});
    stopping_due_.reset();
    training_due_ = false;
    ++trainings_;
  }

  plan finish() {
    if (!has_initial_) errors::AL010_no_initial_stage();
    flush_training();
    // What a strategy demands of every training, whichever train(...) stage
    // wrote the recipe: MCDAL's heads learn in every cycle, and TOD's model
    // must carry on from one cycle to the next.
    for (auto& s : plan_.steps) {
      if (auto* train = std::get_if<train_step>(&s)) {
        train->recipe.auxiliary_heads = uses_auxiliary_heads_;
        if (uses_previous_model_) train->recipe.warm_start = true;
      }
    }
    return std::move(plan_);
  }

 private:
  plan plan_;
  train_recipe recipe_;
  int cycle_ = 0;
  bool has_initial_ = false;
  bool has_pretrain_ = false;
  bool has_other_stage_ = false;  // any stage but pretrain seen so far
  bool training_due_ = false;
  int trainings_ = 0;                  // train steps emitted so far
  bool uses_auxiliary_heads_ = false;  // a selection uses mcdal
  bool uses_previous_model_ = false;   // a selection uses tod
  needs_set provided_;  // what the stages so far provide (al/rules.hpp)
  std::optional<stopping_rule> stopping_;      // the rule of the cycle stage being lowered
  std::optional<stopping_rule> stopping_due_;  // checked after the training now due
  bool stopping_ended_ = false;                // a stage with a rule has ended: nothing may follow

  /// A query after a single training has no previous model to compare
  /// with: the engine scores tod at random there, and the plan says so.
  static void note_no_previous_model(selector_spec& selector) {
    if (selector.needs.contains(need::previous_outputs)) {
      selector.description += "; no previous cycle's model yet, so tod scores at random in this query";
    }
  }

  /// AL026: a need only a stage can provide, and no earlier stage did.
  void check_provided(const selector_spec& selector) const {
    for (const auto& entry : need_providers) {
      if (selector.needs.contains(entry.what) && !provided_.contains(entry.what)) {
        errors::AL026_need_not_provided(word_needing(selector, entry.what), entry.description,
                                        entry.provider);
      }
    }
  }
};

}  // namespace al::detail
