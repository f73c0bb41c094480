// The learning rate at each optimiser step of a training.

#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace al::engine {

double scheduled_learning_rate(const train_recipe& recipe, std::int64_t step,
                               std::int64_t total_steps) {
  if (total_steps < 1 || step < 0 || step >= total_steps) {
    throw std::out_of_range(fmt::format("learning-rate schedule: step {} of a training of {} steps",
                                        step, total_steps));
  }
  const double lr = recipe.learning_rate;
  switch (recipe.schedule) {
    case lr_schedule::constant: return lr;
    case lr_schedule::cosine: {
      // Progress runs from 0 at the first step to 1 at the last, so the last
      // step is taken at the final rate. One step has no room to decay.
      if (total_steps == 1) return lr;
      const double progress = static_cast<double>(step) / static_cast<double>(total_steps - 1);
      return lr * (1 + std::cos(std::numbers::pi * progress)) / 2;
    }
    case lr_schedule::step: {
      // Integer comparisons: 2·step ≥ total is "from half the steps".
      if (4 * step >= 3 * total_steps) return lr / 100;
      if (2 * step >= total_steps) return lr / 10;
      return lr;
    }
  }
  throw std::logic_error("unknown learning-rate schedule");
}

}  // namespace al::engine
