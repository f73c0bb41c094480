#pragma once
// al::plan — the expanded list of steps a pipeline stands for.
//
// Both front ends lower to this plain-data IR; the engine runs it step by
// step, `explain` prints it and every results folder records it. Every
// hyperparameter is resolved here: nothing is left to a default hidden in
// the engine.

#include <al/requirements.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace al {

namespace detail {
/// a + b, held at the int64 bounds instead of overflowing. The limits
/// (al/limits.hpp) keep every sum of a plan built by the DSL far from them;
/// a plan is plain data, though, and may come from elsewhere.
constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  if (b > 0 && a > max - b) return max;
  if (b < 0 && a < min - b) return min;
  return a + b;
}
}  // namespace detail

/// Optimisers the trainer knows.
enum class optimizer { adam, sgd };

constexpr std::string_view to_string(optimizer o) {
  return o == optimizer::adam ? "adam" : "sgd";
}

/// How the learning rate moves over one training, step by step (the rate
/// at each step: al::engine::scheduled_learning_rate).
///  - cosine: from lr at the first step to 0 at the last, along half a
///    cosine (Loshchilov and Hutter 2017, without restarts). The default:
///    the model evaluated is where a small rate settled, not wherever the
///    last step of a large one happened to land.
///  - step: lr, then lr/10 from half the steps and lr/100 from three
///    quarters (the step decay of the ResNet recipes).
///  - constant: lr at every step (the default before the schedule existed).
enum class lr_schedule { cosine, step, constant };

constexpr std::string_view to_string(lr_schedule s) {
  switch (s) {
    case lr_schedule::cosine: return "cosine";
    case lr_schedule::step: return "step";
    case lr_schedule::constant: return "constant";
  }
  return "?";
}

/// The schedule a name spells (as to_string writes it), if any.
constexpr std::optional<lr_schedule> lr_schedule_named(std::string_view name) {
  for (const auto s : {lr_schedule::cosine, lr_schedule::step, lr_schedule::constant}) {
    if (name == to_string(s)) return s;
  }
  return std::nullopt;
}

/// How the classifier is trained after each labelling step.
/// Defaults: a recipe that really learns on Fashion-MNIST with the small CNN
/// (above 80% test accuracy from 700 random labels), measured in
/// docs/benchmarks.md. With fewer labels an epoch has fewer steps, so the
/// trainer also guarantees `min_steps` optimiser steps per training.
struct train_recipe {
  al::optimizer optimizer = al::optimizer::adam;
  std::int64_t epochs = 30;
  std::int64_t min_steps = 300;
  std::int64_t batch_size = 32;
  double learning_rate = 1e-3;
  double weight_decay = 5e-4;
  double momentum = 0.9;  // SGD only
  al::lr_schedule schedule = al::lr_schedule::cosine;
  /// false: every training starts from the seed's initial weights (the fair
  /// default); true: continue from the previous cycle's weights.
  bool warm_start = false;
  /// true: the encoder stays as pretraining left it (frozen, batch norm in
  /// eval mode) and only the classifier head is trained — the linear probe of
  /// Bengar et al. (2021). Needs a pretrain stage (AL027).
  bool linear_probe = false;
  /// true: every training first fits the head alone on the frozen encoder,
  /// with this same recipe, and then fine-tunes the whole network from that
  /// head (LP-FT, Kumar et al. 2022). The fine-tuning then does not start
  /// from a random head's large gradients, which wash out what pretraining
  /// learnt. Needs a pretrain stage (AL027); excludes linear_probe (AL036).
  bool probe_first = false;
  /// MCDAL's three-step update with two auxiliary heads (Cho et al.); set by
  /// the plan when any of its selections uses `mcdal`, never by hand.
  bool auxiliary_heads = false;
  /// TOD's semi-supervised loss (COD, Huang et al. 2021), `train.cod(w)`:
  /// CE + w·[MSE(f, g) + MSE(g, f_ema)] on labelled and unlabelled batches,
  /// with a consistency head g and an EMA teacher f_ema. 0 is off.
  double consistency_weight = 0;
  /// `train.bf16()`: every forward pass of training (and its loss) runs
  /// under bfloat16 autocast: matrix products and convolutions in bf16,
  /// weights, gradients and the optimiser in float32. bf16 keeps float32's
  /// range, so no loss scaling is needed. Made for GPUs with bf16 tensor
  /// cores; it runs on the CPU too (the tests use it there).
  bool bf16 = false;

  friend bool operator==(const train_recipe&, const train_recipe&) = default;
};

/// Self-supervised tasks a `pretrain(...)` stage can learn without labels.
enum class pretext {
  simsiam,   // two augmented views, negative cosine with stop-gradient (Chen & He 2021)
  rotation,  // 4-way rotation prediction; gives each sample a pretext loss (PT4AL)
};

constexpr std::string_view to_string(pretext p) {
  return p == pretext::simsiam ? "simsiam" : "rotation";
}

/// How the encoder is pretrained on every pool image, before any label.
/// Defaults are the recipe measured in docs/self-supervised.md: it lifts
/// small-budget accuracy on Fashion-MNIST within a few CPU minutes.
struct pretrain_recipe {
  al::pretext pretext = al::pretext::simsiam;
  std::int64_t epochs = 10;
  std::int64_t batch_size = 256;
  /// SGD with momentum 0.9 and a cosine schedule (SimSiam's optimiser),
  /// scaled by batch_size / 256. SimSiam's default is twenty times the
  /// paper's CIFAR rate (0.03 · B/256): with a few hundred steps instead of
  /// its 150 000 the higher rate made the small-budget gain larger and
  /// steadier (docs/self-supervised.md). It is too high for long schedules
  /// (100 epochs collapse the embedding), where a rate such as 0.06 is the
  /// one to give.
  /// Rotation keeps the rate PT4AL's lesson was measured with. The default
  /// follows the pretext given at construction: pretrain_recipe{pretext::rotation}.
  double learning_rate = pretext == al::pretext::simsiam ? 0.6 : 0.06;
  double weight_decay = 5e-4;
  /// SimSiam only: projector width, and the predictor's bottleneck width
  /// (a quarter of the projector's in the paper).
  std::int64_t projector_width = 512;
  std::int64_t predictor_width = 128;

  friend bool operator==(const pretrain_recipe&, const pretrain_recipe&) = default;
};

/// A selection strategy, resolved to data the engine and the printer read.
struct selector_spec {
  std::string name;         // the word, as the text DSL spells it
  needs_set needs;          // what the scoring pass must fill for it
  std::string description;  // one line for `explain`
  /// Stochastic forward passes for an MC-dropout strategy (bald); 0 for the
  /// others. Lives in the plan so that every pass count is resolved there.
  std::int64_t mc_passes = 0;
  /// Combinators: the nested words (prefilter: the scorer then the set
  /// selector; mix: the two parts) and their number (prefilter's factor m,
  /// mix's fraction r); empty and 0 for plain words.
  std::vector<selector_spec> inner;
  double parameter = 0;

  friend bool operator==(const selector_spec&, const selector_spec&) = default;
};

/// Steps of a plan. `cycle` is 0 for the initial round.

/// Pretrains the encoder on the unlabelled pool; always the plan's first
/// step. Every later training starts from the pretrained encoder.
struct pretrain_step {
  pretrain_recipe recipe;
  friend bool operator==(const pretrain_step&, const pretrain_step&) = default;
};
struct label_initial_step {
  selector_spec selector;
  std::int64_t count = 0;
  friend bool operator==(const label_initial_step&, const label_initial_step&) = default;
};
struct train_step {
  int cycle = 0;
  train_recipe recipe;
  friend bool operator==(const train_step&, const train_step&) = default;
};
struct evaluate_step {
  int cycle = 0;
  friend bool operator==(const evaluate_step&, const evaluate_step&) = default;
};
/// Stochastic passes of an MC-dropout selection whose word resolves none
/// (a user's MC word); bald resolves its own (bald.passes(T)).
inline constexpr std::int64_t default_mc_passes = 20;

/// The passes `selector` samples: the most any of its MC-dropout words asks
/// for, default_mc_passes when none says, 0 when it needs no MC dropout.
inline std::int64_t mc_passes_of(const selector_spec& selector) {
  if (!selector.needs.contains(need::mc_dropout)) return 0;
  std::int64_t passes = selector.mc_passes;
  for (const auto& inner : selector.inner) passes = std::max(passes, mc_passes_of(inner));
  return passes > 0 ? passes : default_mc_passes;
}

struct score_step {
  int cycle = 0;
  needs_set outputs;  // exactly what the pass fills for the unlabelled candidates
  /// What it fills for the labelled samples as well: their embeddings
  /// (embedding, encoder_embedding), for a selector that measures distances
  /// to the labelled set (coreset's first centres, typiclust's covered
  /// clusters). Empty when nothing needs them.
  needs_set labelled_outputs;
  /// Stochastic passes with dropout active when `outputs` has mc_dropout
  /// (mc_passes_of the step's selector), else 0.
  std::int64_t mc_passes = 0;
  friend bool operator==(const score_step&, const score_step&) = default;
};
struct select_step {
  int cycle = 0;
  selector_spec selector;
  std::int64_t count = 0;
  friend bool operator==(const select_step&, const select_step&) = default;
};
struct label_step {
  int cycle = 0;
  std::int64_t count = 0;
  friend bool operator==(const label_step&, const label_step&) = default;
};

/// A rule that may end a `cycle(until(rule, max), ...)` stage before its
/// max cycles (al/stopping_rule.hpp): plan data, as both front ends write it.
struct stopping_rule {
  std::string name;         // the word, as the text DSL spells it
  std::string description;  // one line for `explain`
  /// The level the rule's statistic is compared with (stable_predictions:
  /// the kappa to reach; plateau: the accuracy gain below which it stops).
  double threshold = 0;
  /// The cycles the statistic is taken over.
  std::int64_t window = 0;
  friend bool operator==(const stopping_rule&, const stopping_rule&) = default;
};

/// After a cycle's evaluation: ends the run when `rule` fires on the cycles
/// finished so far. Only the last cycle stage may hold one (AL042).
struct stop_check_step {
  int cycle = 0;
  stopping_rule rule;
  friend bool operator==(const stop_check_step&, const stop_check_step&) = default;
};

using step = std::variant<pretrain_step, label_initial_step, train_step, evaluate_step,
                          score_step, select_step, label_step, stop_check_step>;

/// The scoring pass a selection by `selector` needs in `cycle`: the outputs
/// its words declared, the labelled samples' embeddings when they measure
/// distances in embedding space, and the MC passes they resolved.
inline score_step scoring_for(int cycle, const selector_spec& selector) {
  score_step score{cycle, selector.needs, {}, mc_passes_of(selector)};
  if (selector.needs.contains(need::embedding)) score.labelled_outputs = need::embedding;
  if (selector.needs.contains(need::encoder_embedding)) {
    score.labelled_outputs = score.labelled_outputs | need::encoder_embedding;
  }
  return score;
}

/// The whole expanded plan.
struct plan {
  std::vector<step> steps;

  /// Union of what every scoring step fills.
  [[nodiscard]] needs_set scoring_outputs() const {
    needs_set all;
    for (const auto& s : steps) {
      if (const auto* score = std::get_if<score_step>(&s)) all = all | score->outputs;
    }
    return all;
  }
  [[nodiscard]] int cycles() const {
    int last = 0;
    for (const auto& s : steps) {
      if (const auto* select = std::get_if<select_step>(&s)) last = select->cycle;
    }
    return last;
  }
  /// The pretraining the plan starts with, or nullptr.
  [[nodiscard]] const pretrain_recipe* pretraining() const {
    for (const auto& s : steps) {
      if (const auto* pretrain = std::get_if<pretrain_step>(&s)) return &pretrain->recipe;
    }
    return nullptr;
  }
  /// The rule of the plan's stop checks (the last cycle stage's until), or
  /// nullptr when it runs every cycle.
  [[nodiscard]] const stopping_rule* stopping() const {
    for (const auto& s : steps) {
      if (const auto* check = std::get_if<stop_check_step>(&s)) return &check->rule;
    }
    return nullptr;
  }
  /// Labelling rounds: the initial set plus one per cycle (PT4AL splits the
  /// pool into this many batches).
  [[nodiscard]] int rounds() const { return cycles() + 1; }
  /// Labels the plan asks for in total (initial set plus every query).
  [[nodiscard]] std::int64_t label_budget() const {
    std::int64_t total = 0;
    for (const auto& s : steps) {
      if (const auto* first = std::get_if<label_initial_step>(&s)) {
        total = detail::saturating_add(total, first->count);
      }
      if (const auto* label = std::get_if<label_step>(&s)) {
        total = detail::saturating_add(total, label->count);
      }
    }
    return total;
  }

  friend bool operator==(const plan&, const plan&) = default;
};

}  // namespace al
