#pragma once
// explain(p): the expanded plan, one line per step, with every resolved
// hyperparameter — what a study group reads before running anything.

#include <al/pipeline.hpp>
#include <al/plan.hpp>

#include <fmt/format.h>

#include <string>
#include <type_traits>
#include <variant>

namespace al {

/// "probs, embedding" — or "nothing (no model outputs)" for an empty set.
inline std::string describe(needs_set needs) {
  std::string out;
  for (need n : all_needs) {
    if (!needs.contains(n)) continue;
    if (!out.empty()) out += ", ";
    out += to_string(n);
  }
  return out.empty() ? "nothing (no model outputs)" : out;
}

inline std::string describe(const train_recipe& r) {
  std::string out = fmt::format("{} lr={:g} weight_decay={:g}", to_string(r.optimizer),
                                r.learning_rate, r.weight_decay);
  if (r.optimizer == optimizer::sgd) out += fmt::format(" momentum={:g}", r.momentum);
  out += fmt::format(" epochs={} (at least {} steps) batch_size={}, ", r.epochs, r.min_steps,
                     r.batch_size);
  out += r.warm_start ? "warm start from the previous cycle's weights"
                      : "from the seed's initial weights";
  return out;
}

/// The plan as text.
inline std::string explain(const plan& p) {
  std::string out = fmt::format("plan: {} cycle{}, {} labels in all; scoring pass computes: {}\n",
                                p.cycles(), p.cycles() == 1 ? "" : "s", p.label_budget(),
                                describe(p.scoring_outputs()));
  std::int64_t labelled = 0;
  for (const auto& s : p.steps) {
    std::visit(
        [&](const auto& step) {
          using T = std::decay_t<decltype(step)>;
          if constexpr (std::is_same_v<T, label_initial_step>) {
            labelled += step.count;
            out += fmt::format("  [0] label     initial set: {} samples by {} ({})\n", step.count,
                               step.selector.name, step.selector.description);
          } else if constexpr (std::is_same_v<T, train_step>) {
            out += fmt::format("  [{}] train     {} labels: {}\n", step.cycle, labelled,
                               describe(step.recipe));
          } else if constexpr (std::is_same_v<T, evaluate_step>) {
            out += fmt::format("  [{}] evaluate  test accuracy and per-class accuracy\n",
                               step.cycle);
          } else if constexpr (std::is_same_v<T, score_step>) {
            out += fmt::format("  [{}] score     unlabelled pool, one batched no-grad pass -> {}\n",
                               step.cycle, describe(step.outputs));
          } else if constexpr (std::is_same_v<T, select_step>) {
            out += fmt::format("  [{}] select    {} samples by {} ({})\n", step.cycle, step.count,
                               step.selector.name, step.selector.description);
          } else if constexpr (std::is_same_v<T, label_step>) {
            labelled += step.count;
            out += fmt::format("  [{}] label     {} samples from the oracle (ground truth)\n",
                               step.cycle, step.count);
          }
        },
        s);
  }
  return out;
}

/// The plan of a typed pipeline as text: `fmt::print("{}", al::explain(p));`
template <pipeable P>
std::string explain(const P& p) {
  return explain(lower(p));
}

}  // namespace al
