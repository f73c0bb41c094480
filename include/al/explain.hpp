#pragma once
// explain(p): the expanded plan, one line per step, with every resolved
// hyperparameter — what a study group reads before running anything.

#include <al/pipeline.hpp>
#include <al/plan.hpp>
#include <al/pretrain_cache.hpp>
#include <al/rules.hpp>

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace al {

/// "probs, embedding" — or "nothing (no model outputs)" for an empty set. A
/// need an earlier stage provides says so: the scoring step only looks it up,
/// "pretext_loss (from pretrain(rotation))"; so does the encoder's
/// embedding, which `pretrained` (the plan pretrains) decides.
inline std::string describe(needs_set needs, bool pretrained = false) {
  std::string out;
  for (need n : all_needs) {
    if (!needs.contains(n)) continue;
    if (!out.empty()) out += ", ";
    out += to_string(n);
    if (const auto* entry = provider_of(n)) out += fmt::format(" (from {})", entry->provider);
    if (n == need::encoder_embedding) {
      out += pretrained ? " (the pretrained encoder's, computed once)"
                        : " (the current model's: the plan does not pretrain)";
    }
  }
  return out.empty() ? "nothing (no model outputs)" : out;
}

/// A training recipe; `pretrained`: the plan starts with a pretrain step.
inline std::string describe(const train_recipe& r, bool pretrained = false) {
  std::string out = fmt::format("{} lr={:g} weight_decay={:g}", to_string(r.optimizer),
                                r.learning_rate, r.weight_decay);
  if (r.optimizer == optimizer::sgd) out += fmt::format(" momentum={:g}", r.momentum);
  switch (r.schedule) {
    case lr_schedule::cosine: out += " schedule=cosine (to 0 at the last step)"; break;
    case lr_schedule::step: out += " schedule=step (/10 at 1/2 and 3/4 of the steps)"; break;
    case lr_schedule::constant: out += " schedule=constant"; break;
  }
  out += fmt::format(" epochs={} (at least {} steps) batch_size={}, ", r.epochs, r.min_steps,
                     r.batch_size);
  if (r.warm_start) {
    out += "warm start from the previous cycle's weights";
  } else {
    out += pretrained ? "from the pretrained encoder and the seed's initial head"
                      : "from the seed's initial weights";
  }
  if (r.linear_probe) out += "; linear probe: encoder frozen, head trained";
  if (r.probe_first) {
    out += "; probe first: the head is fitted on the frozen encoder, then the whole network "
           "fine-tuned";
  }
  if (r.auxiliary_heads) {
    out += "; MCDAL: two auxiliary heads on the detached embedding, three updates per step "
           "with an unlabelled batch";
  }
  if (r.consistency_weight > 0) {
    out += fmt::format("; COD: + {:g}*[MSE(f, g) + MSE(g, EMA teacher)] on the labelled and an "
                       "unlabelled batch",
                       r.consistency_weight);
  }
  if (r.bf16) out += "; bf16 autocast: forward passes in bfloat16, weights and optimiser in float32";
  return out;
}

/// A pretraining recipe, as the pretrain step's line says it.
inline std::string describe(const pretrain_recipe& r) {
  const bool rotation = r.pretext == pretext::rotation;
  std::string out = fmt::format(
      "{} on every pool image, no labels: epochs={} batch_size={} sgd lr={:g} (cosine) "
      "weight_decay={:g}",
      rotation ? "4-way rotation head" : "simsiam", r.epochs, r.batch_size, r.learning_rate,
      r.weight_decay);
  if (rotation) {
    out += "; keeps each sample's pretext loss (mean cross-entropy over the 4 rotations)";
  } else {
    out += fmt::format(" projector={} predictor={}", r.projector_width, r.predictor_width);
  }
  return out + "; every training starts from the pretrained encoder";
}

/// The plan as text.
inline std::string explain(const plan& p) {
  const pretrain_recipe* pretraining = p.pretraining();
  const stopping_rule* stopping = p.stopping();
  std::string out = fmt::format(
      "plan: {}{} cycle{}, {} labels in all{}{}; scoring pass computes: {}\n",
      stopping ? "at most " : "", p.cycles(), p.cycles() == 1 ? "" : "s", p.label_budget(),
      stopping ? fmt::format(" (fewer when {} stops it)", stopping->name) : "",
      pretraining ? fmt::format(", pretrained by {}", to_string(pretraining->pretext)) : "",
      describe(p.scoring_outputs(), pretraining != nullptr));
  if (p.scoring_outputs().contains(need::previous_outputs)) {
    out += "  note: tod compares each model with the previous cycle's, so every training "
           "warm-starts\n";
  }
  std::int64_t labelled = 0;
  for (const auto& s : p.steps) {
    std::visit(
        [&](const auto& step) {
          using T = std::decay_t<decltype(step)>;
          if constexpr (std::is_same_v<T, pretrain_step>) {
            out += fmt::format("  [0] pretrain  {}\n", describe(step.recipe));
          } else if constexpr (std::is_same_v<T, label_initial_step>) {
            labelled = detail::saturating_add(labelled, step.count);
            out += fmt::format("  [0] label     initial set: {} samples by {} ({})\n", step.count,
                               step.selector.name, step.selector.description);
          } else if constexpr (std::is_same_v<T, train_step>) {
            out += fmt::format("  [{}] train     {} labels: {}\n", step.cycle, labelled,
                               describe(step.recipe, pretraining != nullptr));
          } else if constexpr (std::is_same_v<T, evaluate_step>) {
            out += fmt::format("  [{}] evaluate  test accuracy and per-class accuracy\n",
                               step.cycle);
          } else if constexpr (std::is_same_v<T, score_step>) {
            out += fmt::format("  [{}] score     unlabelled pool, one batched no-grad pass -> {}\n",
                               step.cycle, describe(step.outputs, pretraining != nullptr));
          } else if constexpr (std::is_same_v<T, select_step>) {
            out += fmt::format("  [{}] select    {} samples by {} ({})\n", step.cycle, step.count,
                               step.selector.name, step.selector.description);
          } else if constexpr (std::is_same_v<T, label_step>) {
            labelled = detail::saturating_add(labelled, step.count);
            out += fmt::format("  [{}] label     {} samples from the oracle (ground truth)\n",
                               step.cycle, step.count);
          } else if constexpr (std::is_same_v<T, stop_check_step>) {
            out += fmt::format("  [{}] stop?     ends the run here if {} fires ({})\n", step.cycle,
                               step.rule.name, step.rule.description);
          }
        },
        s);
  }
  return out;
}

/// Where a run under `device` (config::device) computes, in words. A
/// comparison's workers with `cuda` or `auto` on several GPUs take one GPU
/// each (src/core/devices.cpp).
inline std::string describe_device(std::string_view device) {
  const std::string_view spread =
      "; a comparison running several at a time gives each worker a GPU of its own, "
      "cuda:(worker mod GPUs)";
  if (device == "cpu") return "the CPU";
  if (device == "auto") {
    return fmt::format("auto: cuda:0 when this LibTorch sees a CUDA device, else the CPU{}", spread);
  }
  if (device == "cuda") return fmt::format("cuda:0{}", spread);
  return fmt::format("{} (every run of a comparison as well)", device);
}

/// The plan as it will run under `c`: also says on which device, and
/// whether the pretrained encoder comes from the cache (see
/// al/pretrain_cache.hpp).
inline std::string explain(const plan& p, const config& c) {
  auto out = explain(p);
  out += fmt::format("  device: {}\n", describe_device(c.device));
  if (c.data.long_tail != 0) {
    out += fmt::format("  data: long-tailed pool, rho = {:g}: class k keeps floor(n_max * rho^(k/(K-1))) "
                       "of its samples; the test set stays balanced\n",
                       c.data.long_tail);
  }
  if (const auto* recipe = p.pretraining()) {
    out += fmt::format("  pretrain cache: {}\n", describe_pretrain_cache(*recipe, c));
  }
  switch (c.oracle.kind) {
    case oracle_kind::ground_truth: break;
    case oracle_kind::noisy:
      out += fmt::format("  oracle: noisy: each answer is another class, drawn uniformly, with "
                         "probability {:g}; the model trains on the answers\n",
                         c.oracle.flip_rate);
      break;
    case oracle_kind::human:
      out += "  oracle: a person: each labelling writes its query (images, query.csv) into the "
             "run's folder and stops; alpipe label import FILE, then the same command again, "
             "continues\n";
      break;
  }
  return out;
}

template <pipeable P>
std::string explain(const P& p, const config& c) {
  return explain(lower(p), c);
}

/// The plan of a typed pipeline as text: `fmt::print("{}", al::explain(p));`
template <pipeable P>
std::string explain(const P& p) {
  return explain(lower(p));
}

}  // namespace al
