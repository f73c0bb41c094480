#pragma once
#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/pipeline.hpp>
#include <al/plan.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace al {

/// `train` — the recipe for every training that follows it in the pipeline.
/// Options are chainable setters with defaults, as in LibTorch:
///
///   initial(random, 100) | train.epochs(40).lr(3e-4) | cycle(6, query(entropy, 100))
///   train(al::optimizer::sgd).lr(0.05).momentum(0.9)
///   train.schedule(al::lr_schedule::constant)
///
/// Without any `train` stage the defaults of `al::train_recipe` apply. Each
/// option may be given once (AL013) and must be in range (AL014, upper
/// bounds in al/limits.hpp); in a constexpr pipeline both are compile errors.
struct train_stage : stage_base {
  train_recipe recipe;

  static constexpr stage_kind kind = stage_kind::train;
  static constexpr needs_set needs{};
  static constexpr needs_set provides{};
  void lower_into(detail::plan_builder& b) const { b.set_recipe(recipe); }

  /// `train()` and `train(optimizer)`: the stage itself, or with another optimiser.
  constexpr train_stage operator()() const { return *this; }
  constexpr train_stage operator()(al::optimizer o) const {
    auto copy = mark(option::optimizer, "optimizer");
    copy.recipe.optimizer = o;
    return copy;
  }

  constexpr train_stage epochs(std::int64_t n) const {
    if (n < 1) errors::AL014_option_out_of_range("train", "epochs", "at least 1");
    if (n > limits::max_epochs) errors::AL014_option_too_large("train", "epochs", limits::max_epochs);
    return with(option::epochs, "epochs", &train_recipe::epochs, n);
  }
  constexpr train_stage min_steps(std::int64_t n) const {
    if (n < 0) errors::AL014_option_out_of_range("train", "min_steps", "0 or more");
    if (n > limits::max_min_steps) {
      errors::AL014_option_too_large("train", "min_steps", limits::max_min_steps);
    }
    return with(option::min_steps, "min_steps", &train_recipe::min_steps, n);
  }
  constexpr train_stage batch_size(std::int64_t n) const {
    if (n < 1) errors::AL014_option_out_of_range("train", "batch_size", "at least 1");
    if (n > limits::max_batch_size) {
      errors::AL014_option_too_large("train", "batch_size", limits::max_batch_size);
    }
    return with(option::batch_size, "batch_size", &train_recipe::batch_size, n);
  }
  constexpr train_stage lr(double x) const {
    if (!(x > 0)) errors::AL014_option_out_of_range("train", "lr", "positive");
    if (!(x <= limits::max_learning_rate)) {
      errors::AL014_option_too_large("train", "lr", limits::max_learning_rate);
    }
    return with(option::lr, "lr", &train_recipe::learning_rate, x);
  }
  constexpr train_stage weight_decay(double x) const {
    if (!(x >= 0)) errors::AL014_option_out_of_range("train", "weight_decay", "0 or more");
    if (!(x <= limits::max_weight_decay)) {
      errors::AL014_option_too_large("train", "weight_decay", limits::max_weight_decay);
    }
    return with(option::weight_decay, "weight_decay", &train_recipe::weight_decay, x);
  }
  constexpr train_stage momentum(double x) const {
    if (!(x >= 0 && x < 1)) errors::AL014_option_out_of_range("train", "momentum", "in [0, 1)");
    return with(option::momentum, "momentum", &train_recipe::momentum, x);
  }
  /// How the rate moves over each training: al::lr_schedule::cosine (the
  /// default), ::step or ::constant.
  constexpr train_stage schedule(al::lr_schedule s) const {
    return with(option::schedule, "schedule", &train_recipe::schedule, s);
  }
  constexpr train_stage warm_start(bool on = true) const {
    return with(option::warm_start, "warm_start", &train_recipe::warm_start, on);
  }
  /// Train only the head on the pretrained encoder, frozen; needs a
  /// pretrain stage (AL027, checked when the pipeline is lowered).
  constexpr train_stage linear_probe(bool on = true) const {
    if (on && recipe.probe_first) errors::AL036_linear_probe_and_probe_first();
    return with(option::linear_probe, "linear_probe", &train_recipe::linear_probe, on);
  }
  /// LP-FT (Kumar et al. 2022): every training fits the head on the frozen
  /// pretrained encoder first, then fine-tunes the whole network, both with
  /// this recipe. Needs a pretrain stage (AL027, checked when the pipeline
  /// is lowered); a linear probe never fine-tunes, so not both (AL036).
  constexpr train_stage probe_first(bool on = true) const {
    if (on && recipe.linear_probe) errors::AL036_linear_probe_and_probe_first();
    return with(option::probe_first, "probe_first", &train_recipe::probe_first, on);
  }

  /// TOD's semi-supervised training (COD): every training also fits a
  /// consistency head g to the model and to an EMA teacher of it, on the
  /// labelled batch and an unlabelled one of the same size, weighted by `w`
  /// (0.02 is TOD's value for CIFAR-10-like data). Works with any strategy;
  /// `w` must be positive (AL014).
  constexpr train_stage cod(double w = default_cod_weight) const {
    if (!(w > 0)) errors::AL014_option_out_of_range("train", "cod", "positive");
    if (!(w <= limits::max_cod_weight)) {
      errors::AL014_option_too_large("train", "cod", limits::max_cod_weight);
    }
    return with(option::cod, "cod", &train_recipe::consistency_weight, w);
  }
  static constexpr double default_cod_weight = 0.02;

  /// Mixed precision: training's forward passes under bfloat16 autocast
  /// (train_recipe::bf16 says what that keeps in float32).
  constexpr train_stage bf16(bool on = true) const {
    return with(option::bf16, "bf16", &train_recipe::bf16, on);
  }

  /// The text DSL spelling: only the options that were written.
  std::string to_text() const {
    std::string out = "train";
    if (given(option::optimizer)) out += fmt::format("({})", to_string(recipe.optimizer));
    if (given(option::epochs)) out += fmt::format(".epochs({})", recipe.epochs);
    if (given(option::min_steps)) out += fmt::format(".min_steps({})", recipe.min_steps);
    if (given(option::batch_size)) out += fmt::format(".batch_size({})", recipe.batch_size);
    if (given(option::lr)) out += fmt::format(".lr({})", recipe.learning_rate);
    if (given(option::weight_decay)) out += fmt::format(".weight_decay({})", recipe.weight_decay);
    if (given(option::momentum)) out += fmt::format(".momentum({})", recipe.momentum);
    if (given(option::schedule)) out += fmt::format(".schedule({})", to_string(recipe.schedule));
    if (given(option::warm_start)) out += recipe.warm_start ? ".warm_start()" : ".warm_start(false)";
    if (given(option::linear_probe)) {
      out += recipe.linear_probe ? ".linear_probe()" : ".linear_probe(false)";
    }
    if (given(option::probe_first)) {
      out += recipe.probe_first ? ".probe_first()" : ".probe_first(false)";
    }
    if (given(option::cod)) {
      out += recipe.consistency_weight == default_cod_weight
                 ? std::string(".cod()")
                 : fmt::format(".cod({})", recipe.consistency_weight);
    }
    if (given(option::bf16)) out += recipe.bf16 ? ".bf16()" : ".bf16(false)";
    return out;
  }

 private:
  enum class option : std::uint32_t {
    optimizer = 1u << 0, epochs = 1u << 1, min_steps = 1u << 2, batch_size = 1u << 3,
    lr = 1u << 4, weight_decay = 1u << 5, momentum = 1u << 6, warm_start = 1u << 7,
    linear_probe = 1u << 8, cod = 1u << 9, probe_first = 1u << 10, schedule = 1u << 11,
    bf16 = 1u << 12,
  };
  std::uint32_t given_ = 0;  // options written so far

  constexpr bool given(option o) const { return (given_ & static_cast<std::uint32_t>(o)) != 0; }

  constexpr train_stage mark(option o, std::string_view name) const {
    if (given(o)) errors::AL013_option_given_twice("train", name);
    train_stage copy = *this;
    copy.given_ |= static_cast<std::uint32_t>(o);
    return copy;
  }

  template <class Field, class Value>
  constexpr train_stage with(option o, std::string_view name, Field train_recipe::*field,
                             Value value) const {
    train_stage copy = mark(o, name);
    copy.recipe.*field = static_cast<Field>(value);
    return copy;
  }
};
inline constexpr train_stage train{};

}  // namespace al
