#pragma once
#include <al/detail/always_false.hpp>
#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/pipeline.hpp>
#include <al/plan.hpp>
#include <al/pretext.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace al {

/// `pretrain(task)` — self-supervised pretraining of the encoder on every
/// pool image, before any label; every later training starts from it.
/// Options are chainable setters with defaults, like train's:
///
///   pretrain(simsiam).epochs(20).projector(1024) | initial(random, 100) | ...
///   pretrain(rotation).lr(0.1) | initial(pt4al(least_confidence), 100) | ...
///
/// `epochs`, `batch_size`, `lr`, `weight_decay` for both tasks; `projector`
/// and `predictor` (widths) for simsiam only (AL029). Each option may be
/// given once (AL013) and must be in range (AL014, upper bounds in
/// al/limits.hpp); in a constexpr pipeline both are compile errors.
/// Defaults: al::pretrain_recipe.
template <pretext_word P>
struct pretrain_stage : stage_base {
  pretrain_recipe recipe{P::task};

  static constexpr stage_kind kind = stage_kind::pretrain;
  static constexpr needs_set needs{};
  static constexpr needs_set provides = P::provides;
  void lower_into(detail::plan_builder& b) const { b.add_pretrain(recipe); }

  constexpr pretrain_stage epochs(std::int64_t n) const {
    if (n < 1) errors::AL014_option_out_of_range("pretrain", "epochs", "at least 1");
    if (n > limits::max_epochs) errors::AL014_option_too_large("pretrain", "epochs", limits::max_epochs);
    return with(option::epochs, "epochs", &pretrain_recipe::epochs, n);
  }
  constexpr pretrain_stage batch_size(std::int64_t n) const {
    if (n < 2) errors::AL014_option_out_of_range("pretrain", "batch_size", "at least 2");
    if (n > limits::max_batch_size) {
      errors::AL014_option_too_large("pretrain", "batch_size", limits::max_batch_size);
    }
    return with(option::batch_size, "batch_size", &pretrain_recipe::batch_size, n);
  }
  constexpr pretrain_stage lr(double x) const {
    if (!(x > 0)) errors::AL014_option_out_of_range("pretrain", "lr", "positive");
    if (!(x <= limits::max_learning_rate)) {
      errors::AL014_option_too_large("pretrain", "lr", limits::max_learning_rate);
    }
    return with(option::lr, "lr", &pretrain_recipe::learning_rate, x);
  }
  constexpr pretrain_stage weight_decay(double x) const {
    if (!(x >= 0)) errors::AL014_option_out_of_range("pretrain", "weight_decay", "0 or more");
    if (!(x <= limits::max_weight_decay)) {
      errors::AL014_option_too_large("pretrain", "weight_decay", limits::max_weight_decay);
    }
    return with(option::weight_decay, "weight_decay", &pretrain_recipe::weight_decay, x);
  }
  /// SimSiam's projector width.
  constexpr pretrain_stage projector(std::int64_t width) const {
    return simsiam_width(option::projector, "projector", &pretrain_recipe::projector_width, width);
  }
  /// SimSiam's predictor bottleneck width.
  constexpr pretrain_stage predictor(std::int64_t width) const {
    return simsiam_width(option::predictor, "predictor", &pretrain_recipe::predictor_width, width);
  }

  /// The text DSL spelling: only the options that were written.
  std::string to_text() const {
    std::string out = fmt::format("pretrain({})", to_string(recipe.pretext));
    if (given(option::epochs)) out += fmt::format(".epochs({})", recipe.epochs);
    if (given(option::batch_size)) out += fmt::format(".batch_size({})", recipe.batch_size);
    if (given(option::lr)) out += fmt::format(".lr({})", recipe.learning_rate);
    if (given(option::weight_decay)) out += fmt::format(".weight_decay({})", recipe.weight_decay);
    if (given(option::projector)) out += fmt::format(".projector({})", recipe.projector_width);
    if (given(option::predictor)) out += fmt::format(".predictor({})", recipe.predictor_width);
    return out;
  }

 private:
  enum class option : std::uint32_t {
    epochs = 1u << 0, batch_size = 1u << 1, lr = 1u << 2, weight_decay = 1u << 3,
    projector = 1u << 4, predictor = 1u << 5,
  };
  std::uint32_t given_ = 0;  // options written so far

  constexpr bool given(option o) const { return (given_ & static_cast<std::uint32_t>(o)) != 0; }

  /// A width option of SimSiam's heads: instantiated only when called, so
  /// the static_assert fires for pretrain(rotation).projector(...) alone.
  constexpr pretrain_stage simsiam_width(option o, std::string_view name,
                                         std::int64_t pretrain_recipe::*field,
                                         std::int64_t width) const {
    static_assert(P::task == pretext::simsiam,
                  "AL029: .projector(width) and .predictor(width) are options of "
                  "pretrain(simsiam) only: rotation trains a 4-way head, with no projector or "
                  "predictor; remove the option");
    if (width < 1) errors::AL014_option_out_of_range("pretrain", name, "at least 1");
    if (width > limits::max_width) errors::AL014_option_too_large("pretrain", name, limits::max_width);
    return with(o, name, field, width);
  }

  template <class Field, class Value>
  constexpr pretrain_stage with(option o, std::string_view name, Field pretrain_recipe::*field,
                                Value value) const {
    if (given(o)) errors::AL013_option_given_twice("pretrain", name);
    pretrain_stage copy = *this;
    copy.given_ |= static_cast<std::uint32_t>(o);
    copy.recipe.*field = static_cast<Field>(value);
    return copy;
  }
};

/// `pretrain(simsiam)`, `pretrain(rotation)` — the pretraining stage; it
/// must be the pipeline's first (AL024) and only one (AL025).
struct pretrain_fn {
  template <pretext_word P>
  constexpr pretrain_stage<P> operator()(P) const {
    return {};
  }
  template <class P>
    requires(!pretext_word<P>)
  constexpr auto operator()(P) const {
    static_assert(detail::always_false<P>, ALPIPE_AL028_PRETEXT_MESSAGE);
  }
};
inline constexpr pretrain_fn pretrain{};

}  // namespace al
