#pragma once
// Turns stages, in pipeline order, into the expanded steps of a plan.
// Shared by every front end so that both expand a pipeline identically.

#include <al/plan.hpp>
#include <al/plan_error.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <utility>

namespace al::detail {

class plan_builder {
 public:
  void set_recipe(const train_recipe& recipe) { recipe_ = recipe; }

  void add_initial(selector_spec selector, std::int64_t count) {
    if (has_initial_) {
      throw plan_error("the pipeline has two initial(...) stages; keep one: "
                       "the initial set is labelled once, before the first cycle");
    }
    if (cycle_ > 0) {
      throw plan_error("initial(...) comes after a query; move it to the front: "
                       "initial(random, 100) | cycle(6, query(entropy, 100))");
    }
    if (count <= 0) {
      throw plan_error(fmt::format("initial({}, {}) labels no sample; give a positive size, "
                                   "e.g. initial({}, 100)",
                                   selector.name, count, selector.name));
    }
    has_initial_ = true;
    plan_.steps.emplace_back(label_initial_step{std::move(selector), count});
    training_due_ = true;
  }

  /// One query outside `cycle(...)` is a cycle of its own.
  void add_query(selector_spec selector, std::int64_t count) {
    if (!has_initial_) {
      throw plan_error(fmt::format("query({}, {}) comes before any labelled data; start the "
                                   "pipeline with an initial set: initial(random, 100) | ...",
                                   selector.name, count));
    }
    if (count <= 0) {
      throw plan_error(fmt::format("query({}, {}) asks for no sample; give a positive size, "
                                   "e.g. query({}, 100)",
                                   selector.name, count, selector.name));
    }
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
    if (!has_initial_) {
      throw plan_error("the pipeline has no initial(...) stage; every run starts from a "
                       "labelled set: initial(random, 100) | cycle(6, query(entropy, 100))");
    }
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
