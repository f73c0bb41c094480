#pragma once
// The words of the text DSL: the strategy words (al/word_table.hpp, every
// built-in one included here so that the table holds them), and the fixed
// words of the grammar — stages, options, pretext tasks.

#include <al/strategies.hpp>
#include <al/word_table.hpp>

#include <string>
#include <vector>

namespace al {

/// The stage words of the grammar.
inline const std::vector<std::string>& stage_words() {
  static const std::vector<std::string> words{"pretrain", "initial", "train", "query", "cycle"};
  return words;
}

/// The options of `train`, as written after a dot.
inline const std::vector<std::string>& train_option_words() {
  static const std::vector<std::string> words{"epochs",       "min_steps", "batch_size",
                                              "lr",           "weight_decay", "momentum",
                                              "schedule",     "warm_start",   "linear_probe",
                                              "probe_first",  "cod",          "bf16"};
  return words;
}

/// The learning-rate schedules `train.schedule(...)` takes.
inline const std::vector<std::string>& schedule_words() {
  static const std::vector<std::string> words{
      std::string(to_string(lr_schedule::cosine)), std::string(to_string(lr_schedule::step)),
      std::string(to_string(lr_schedule::constant))};
  return words;
}

/// The pretext tasks `pretrain(...)` takes.
inline const std::vector<std::string>& pretext_words() {
  static const std::vector<std::string> words{"simsiam", "rotation"};
  return words;
}

/// The options of `pretrain(...)`; the last two are simsiam's only.
inline const std::vector<std::string>& pretrain_option_words() {
  static const std::vector<std::string> words{"epochs",       "batch_size", "lr",
                                              "weight_decay", "projector",  "predictor"};
  return words;
}

}  // namespace al
