#pragma once
// The command line every comparing lesson takes, and the loop that runs each
// of its pipelines ("arms") for each seed.
//
//   lesson [--smoke] [--seeds N] [--pool N] [--out DIR] [--device NAME] [--model NAME]
//          [--pretrain-epochs N] [--pretrain-lr X]   (lessons with a pretrain stage)
//
// --smoke is the tiny budget ctest runs; the seeds then default to 1.
// --device is auto (a GPU when LibTorch sees one), cpu or cuda; --model a
// built-in model (config.model: auto, small_cnn, cifar_cnn, resnet18, mlp).
// --pretrain-epochs and --pretrain-lr change the pretraining's length and
// rate, e.g. to check on a GPU what a longer one buys (a longer one needs a
// lower rate: docs/self-supervised.md).

#include <al/config.hpp>
#include <al/run.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>

namespace lessons {

struct lesson_options {
  bool smoke = false;
  int seeds = 3;
  std::int64_t pool = 0;
  /// Set by a lesson with a pretrain stage before parsing: it then takes
  /// --pretrain-epochs and --pretrain-lr; 0 keeps the recipe's default.
  bool has_pretraining = false;
  std::int64_t pretrain_epochs = 0;
  double pretrain_learning_rate = 0;
};

/// The whole number (at least `minimum`) after `option`, or an error that
/// names the option.
inline std::int64_t whole_number(std::string_view option, const char* text,
                                 std::int64_t minimum = 0) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || text[used] != '\0' || value < minimum) {
    throw std::invalid_argument(fmt::format("{} wants a whole number of at least {}, got \"{}\"",
                                            option, minimum, text));
  }
  return value;
}

/// The positive number after `option`, or an error that names the option.
inline double positive_number(std::string_view option, const char* text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || text[used] != '\0' || !(value > 0)) {
    throw std::invalid_argument(
        fmt::format("{} wants a positive number, got \"{}\"", option, text));
  }
  return value;
}

/// Reads the options into `options`, `c.results_dir`, `c.device` and
/// `c.model`; prints
/// the usage and returns false on anything else.
inline bool parse_lesson_options(int argc, char** argv, lesson_options& options, al::config& c) {
  bool seeds_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--smoke") {
      options.smoke = true;
    } else if (arg == "--seeds" && has_value) {
      options.seeds = static_cast<int>(whole_number(arg, argv[++i], 1));
      seeds_given = true;
    } else if (arg == "--pool" && has_value) {
      options.pool = whole_number(arg, argv[++i]);
    } else if (arg == "--out" && has_value) {
      c.results_dir = argv[++i];
    } else if (arg == "--device" && has_value) {
      c.device = argv[++i];
    } else if (arg == "--model" && has_value) {
      c.model = argv[++i];
    } else if (arg == "--pretrain-epochs" && has_value && options.has_pretraining) {
      options.pretrain_epochs = whole_number(arg, argv[++i], 1);
    } else if (arg == "--pretrain-lr" && has_value && options.has_pretraining) {
      options.pretrain_learning_rate = positive_number(arg, argv[++i]);
    } else {
      fmt::print(stderr,
                 "usage: {} [--smoke] [--seeds N] [--pool N] [--out DIR] [--device NAME] "
                 "[--model NAME]{}\n",
                 argv[0],
                 options.has_pretraining ? " [--pretrain-epochs N] [--pretrain-lr X]" : "");
      return false;
    }
  }
  if (options.smoke && !seeds_given) options.seeds = 1;
  return true;
}

/// `stage` (a pretrain(...) stage) with the options' length and rate; the
/// smoke budget pretrains for one epoch unless told otherwise.
template <class PretrainStage>
PretrainStage with_pretraining_options(PretrainStage stage, const lesson_options& options) {
  if (options.pretrain_epochs > 0) {
    stage = stage.epochs(options.pretrain_epochs);
  } else if (options.smoke) {
    stage = stage.epochs(1);
  }
  if (options.pretrain_learning_rate > 0) stage = stage.lr(options.pretrain_learning_rate);
  return stage;
}

/// Runs every pipeline of `pipelines` under seeds 0 … seeds − 1, each in its
/// own results folder `arm<k>-seed<s>`, and hands each report to
/// `record(arm, seed, report)`.
template <class Pipelines, class Record>
void run_arms(const Pipelines& pipelines, int seeds, al::config c, Record&& record) {
  for (int seed = 0; seed < seeds; ++seed) {
    c.seed = static_cast<std::uint64_t>(seed);
    std::size_t arm = 0;
    std::apply(
        [&](const auto&... p) {
          ((c.run_name = fmt::format("arm{}-seed{}", arm, seed), record(arm, c.seed, run(p, c)),
            fmt::print("seed {}: arm {} done\n", seed, arm), std::fflush(stdout), ++arm),
           ...);
        },
        pipelines);
  }
}

}  // namespace lessons
