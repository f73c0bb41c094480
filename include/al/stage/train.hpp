#pragma once
#include <al/pipeline.hpp>
#include <al/plan.hpp>

#include <cstdint>

namespace al {

/// `train` — the recipe for every training that follows it in the pipeline.
/// Options are chainable setters with defaults, as in LibTorch:
///
///   initial(random, 100) | train.epochs(40).lr(3e-4) | cycle(6, query(entropy, 100))
///   train(al::optimizer::sgd).lr(0.05).momentum(0.9)
///
/// Without any `train` stage the defaults of `al::train_recipe` apply.
struct train_stage : stage_base {
  train_recipe recipe;

  static constexpr needs_set needs{};
  void lower_into(detail::plan_builder& b) const { b.set_recipe(recipe); }

  /// `train()` and `train(optimizer)`: the stage itself, or with another optimiser.
  constexpr train_stage operator()() const { return *this; }
  constexpr train_stage operator()(al::optimizer o) const { return with(&train_recipe::optimizer, o); }

  constexpr train_stage epochs(std::int64_t n) const { return with(&train_recipe::epochs, n); }
  constexpr train_stage min_steps(std::int64_t n) const { return with(&train_recipe::min_steps, n); }
  constexpr train_stage batch_size(std::int64_t n) const { return with(&train_recipe::batch_size, n); }
  constexpr train_stage lr(double x) const { return with(&train_recipe::learning_rate, x); }
  constexpr train_stage weight_decay(double x) const { return with(&train_recipe::weight_decay, x); }
  constexpr train_stage momentum(double x) const { return with(&train_recipe::momentum, x); }
  constexpr train_stage warm_start(bool on = true) const { return with(&train_recipe::warm_start, on); }

 private:
  template <class Field, class Value>
  constexpr train_stage with(Field train_recipe::*field, Value value) const {
    train_stage copy = *this;
    copy.recipe.*field = static_cast<Field>(value);
    return copy;
  }
};
inline constexpr train_stage train{};

}  // namespace al
