#pragma once
// Turns stages, in pipeline order, into the expanded steps of a plan.
// Shared by every front end so that both expand a pipeline identically.

#include <al/plan.hpp>
#include <al/errors.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <utility>

namespace al::detail {

class plan_builder {
 public:
  void set_recipe(const train_recipe& recipe) { recipe_ = recipe; }

  void add_initial(selector_spec selector, std::int64_t count) {
    if (cycle_ > 0) errors::AL008_initial_after_query();
    if (has_initial_) errors::AL007_two_initial_stages();
    if (count <= 0) errors::AL004_initial_size_not_positive(selector.name, count);
    has_initial_ = true;
    plan_.steps.emplace_back(label_initial_step{std::move(selector), count});
    training_due_ = true;
  }

  /// One query outside `cycle(...)` is a cycle of its own.
  void add_query(selector_spec selector, std::int64_t count) {
    if (!has_initial_) errors::AL009_query_before_initial(selector.name, count);
    if (count <= 0) errors::AL005_query_size_not_positive(selector.name, count);
    flush_training();
    ++cycle_;
    plan_.steps.emplace_back(score_step{cycle_, selector.needs});
    plan_.steps.emplace_back(select_step{cycle_, std::move(selector), count});
    plan_.steps.emplace_back(label_step{cycle_, count});
    training_due_ = true;
  }

  /// Trainings are emitted lazily so that a `train(...)` written right after
  /// `initial(...)` (or inside a cycle, after its query) applies to the
  /// training that follows that labelling.
  void flush_training() {
    if (!training_due_) return;
    plan_.steps.emplace_back(train_step{cycle_, recipe_});
    plan_.steps.emplace_back(evaluate_step{cycle_});
    training_due_ = false;
  }

  plan finish() {
    if (!has_initial_) errors::AL010_no_initial_stage();
    flush_training();
    return std::move(plan_);
  }

 private:
  plan plan_;
  train_recipe recipe_;
  int cycle_ = 0;
  bool has_initial_ = false;
  bool training_due_ = false;
};

}  // namespace al::detail
