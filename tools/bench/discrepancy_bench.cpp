// What MCDAL's and COD's training steps cost on top of a plain one: seconds
// per epoch of the engine's trainer, plain, with MCDAL's auxiliary heads
// (recipe.auxiliary_heads) and with COD (recipe.consistency_weight = 0.02),
// and the ratios to plain.
//
//   discrepancy_bench [--repeats N] [--epochs N] [--threads N]
// The small CNN on N = 1 000 labelled 28×28 images and an unlabelled pool of
// 10 000, batch 32 (the default recipe). Random tensors: the cost of a step
// does not depend on what the pixels show. --threads 0 (the default) is one
// Torch thread per core, as a run sets; on a machine busy with other jobs,
// --threads 1 keeps the two cores' threads from waiting on each other, which
// skews the ratios. Figures go to docs/benchmarks.md.

#include <CLI/CLI.hpp>
#include <al/engine/model.hpp>
#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <string_view>

#include "stopwatch.hpp"

namespace {

using namespace al;
using al::bench::clock_type;
using al::bench::seconds_since;

constexpr engine::input_shape shape{1, 28, 28, 10};

/// Every arm starts from the same weights, as the arms of a comparison do.
std::shared_ptr<engine::classifier> fresh_model() {
  torch::manual_seed(0);
  return engine::make_small_cnn(shape);
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 3;
  std::int64_t epochs = 3;
  int threads = 0;
  CLI::App app{"MCDAL's and COD's training steps against a plain one, per epoch"};
  app.add_option("--repeats", repeats, "timed repetitions (best is kept)")->check(CLI::Range(1, 1000));
  app.add_option("--epochs", epochs, "epochs per timed training")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
  app.add_option("--threads", threads, "Torch threads (0: every core)")->check(CLI::Range(0, 1024));
  CLI11_PARSE(app, argc, argv);
  engine::set_torch_threads(threads);
  torch::manual_seed(0);
  const std::int64_t n = 1000, pool_size = 10000;
  const auto images = torch::randn({n, 1, 28, 28});
  const auto labels = torch::randint(0, 10, {n}, torch::kLong);
  const auto pool = torch::randn({pool_size, 1, 28, 28});
  const auto rows = torch::arange(pool_size, torch::kLong);

  // The heads must match the model's embedding, so read its width rather
  // than trust a constant.
  const std::int64_t width = [] {
    torch::NoGradGuard no_grad;
    auto model = fresh_model();
    model->eval();
    return model->embed(torch::zeros({1, 1, 28, 28})).size(1);
  }();

  train_recipe plain;
  plain.epochs = epochs;
  plain.min_steps = 0;  // exactly `epochs` epochs, whatever N
  auto mcdal = plain;
  mcdal.auxiliary_heads = true;
  auto cod = plain;
  cod.consistency_weight = 0.02;

  // One timed training per call; the per-arm state (heads, consistency head,
  // teacher) is built outside the clock, as a run builds it once per cycle.
  const auto time_plain = [&] {
    auto model = fresh_model();
    const auto start = clock_type::now();
    engine::train_classifier(*model, images, labels, plain, 0);
    return seconds_since(start);
  };
  const auto time_mcdal = [&] {
    auto model = fresh_model();
    engine::auxiliary_heads heads(width, shape.num_classes);
    const auto start = clock_type::now();
    engine::train_classifier(*model, images, labels, mcdal, 0,
                             engine::unlabelled_batches{pool, rows, &heads, nullptr});
    return seconds_since(start);
  };
  const auto time_cod = [&] {
    auto model = fresh_model();
    engine::consistency_training consistency;
    consistency.head = torch::nn::Linear(width, shape.num_classes);
    consistency.teacher = fresh_model();
    const auto start = clock_type::now();
    engine::train_classifier(*model, images, labels, cod, 0,
                             engine::unlabelled_batches{pool, rows, nullptr, &consistency});
    return seconds_since(start);
  };

  const std::array<std::string_view, 3> names{"plain", "mcdal", "cod (w = 0.02)"};
  const std::array<std::function<double()>, 3> arms{time_plain, time_mcdal, time_cod};
  std::array<double, 3> best{INFINITY, INFINITY, INFINITY};
  fmt::print("small CNN (embedding {}), {} labelled + {} unlabelled 28x28 images, batch {}, "
             "{} epochs ({} steps each), torch threads {}, best of {}\n",
             width, n, pool_size, plain.batch_size, epochs,
             (n + plain.batch_size - 1) / plain.batch_size, torch::get_num_threads(), repeats);
  for (int r = 0; r < repeats; ++r) {
    // Rotate the order so that warm-up and load drifts favour no arm.
    for (std::size_t k = 0; k < arms.size(); ++k) {
      const auto arm = (k + static_cast<std::size_t>(r)) % arms.size();
      best[arm] = std::min(best[arm], arms[arm]());
    }
  }
  const auto per_epoch = [&](std::size_t arm) { return best[arm] / static_cast<double>(epochs); };
  for (std::size_t arm = 0; arm < arms.size(); ++arm) {
    fmt::print("  {:<15} {:.3f} s/epoch   {:.2f}x plain\n", names[arm], per_epoch(arm),
               per_epoch(arm) / per_epoch(0));
  }
  return 0;
}
