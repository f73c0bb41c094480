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

#include "command_line.hpp"

#include <al/config.hpp>
#include <al/run.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <optional>
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

/// Reads the options into `options`, `c.results_dir`, `c.device` and
/// `c.model` with CLI11. Returns the exit status to stop with (0 after
/// --help, 2 after a mistake, which names the option) or nullopt to run.
inline std::optional<int> parse_lesson_options(int argc, char** argv, lesson_options& options,
                                               al::config& c) {
  CLI::App app{"A comparing lesson: each pipeline on each seed, from the same start."};
  app.add_flag("--smoke", options.smoke, "the tiny budget ctest runs (1 seed unless --seeds)");
  const auto* seeds = app.add_option("--seeds", options.seeds, "number of seeds, 0 to N-1")
                          ->check(CLI::Range(1, 1000));
  app.add_option("--pool", options.pool, "pool size drawn from the training split (0: all)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--out", c.results_dir, "parent folder of the results");
  app.add_option("--device", c.device, "auto (a GPU when LibTorch sees one), cpu, cuda or cuda:N");
  app.add_option("--model", c.model, "auto, small_cnn, cifar_cnn, resnet18 or mlp");
  if (options.has_pretraining) {
    app.add_option("--pretrain-epochs", options.pretrain_epochs, "pretraining epochs")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
    app.add_option("--pretrain-lr", options.pretrain_learning_rate, "pretraining learning rate")
        ->check(CLI::PositiveNumber);
  }
  if (const auto stop = parse_command_line(app, argc, argv)) return stop;
  if (options.smoke && seeds->count() == 0) options.seeds = 1;
  return std::nullopt;
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
