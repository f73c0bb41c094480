// What BALD's MC-dropout scoring pass costs: the engine's head-only pass
// (encoder once, head sampled T times) against one deterministic pass and
// against T whole-model passes, on Fashion-MNIST's 60k training images with
// the small CNN (or --model) and its 0.5 head dropout, on --device (cpu,
// cuda, cuda:N; on a GPU the clock is read after the GPU has finished).
//
//   bald_bench [--passes T] [--repeats R] [--whole-images N] [--threads N] [--synthetic]
//              [--device D] [--model M] [--images N]
//
// The whole-model method is the engine's own path for a model with dropout
// in its encoder, forced on the same network, so the three figures differ
// only in the method. Both BALD passes compute what a run of `bald` asks
// for: the deterministic probabilities and the mutual information. The
// whole-model method, about T + 1 times the work, is timed once on the
// first N images (default 10000) to keep the benchmark short; its rate per
// image does not depend on N beyond a few blocks.

#include <CLI/CLI.hpp>
#include <al/al.hpp>
#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <cstdlib>
#include <string_view>

#include "device.hpp"
#include "stopwatch.hpp"

namespace {

using namespace al::engine;
using al::bench::clock_type;
using al::bench::seconds_since;

/// The same network, but claiming a stochastic encoder: the engine then runs
/// all T passes through the whole model, as it must for a user's model with
/// dropout inside its encoder.
class whole_passes final : public classifier {
 public:
  explicit whole_passes(std::shared_ptr<classifier> inner)
      : inner_(register_module("inner", std::move(inner))) {}
  torch::Tensor embed(const torch::Tensor& images) override { return inner_->embed(images); }
  torch::Tensor head(const torch::Tensor& embedding) override { return inner_->head(embedding); }
  bool stochastic_encoder() const override { return true; }

 private:
  std::shared_ptr<classifier> inner_;
};

/// Wall time and the process's CPU time. On a shared machine the CPU time
/// is the steadier measure of work: a neighbour's load stretches the wall
/// clock, not the cycles this process spends (with one thread nothing is
/// spent spinning either).
struct timing {
  double wall = 1e30;
  double cpu = 1e30;
};

template <class Pass>
void keep_best(timing& best, const torch::Device& device, Pass&& pass) {
  const auto cpu_start = std::clock();
  const auto start = clock_type::now();
  pass();
  al::bench::synchronize(device);
  best.wall = std::min(best.wall, seconds_since(start));
  best.cpu = std::min(best.cpu, static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t passes = default_mc_passes;
  int repeats = 3;
  std::int64_t whole_images = 10000;
  int threads = 0;  // every core
  bool synthetic = false;
  std::string device_name = "cpu";
  std::string model_name = "small_cnn";
  std::int64_t pool_images = 60000;
  CLI::App app{"BALD's head-only MC-dropout pass against one pass and T whole passes"};
  app.add_option("--passes", passes, "MC-dropout passes T")->check(CLI::Range(2, 1000));
  app.add_option("--repeats", repeats, "timed repetitions (best is kept)")->check(CLI::Range(1, 1000));
  app.add_option("--whole-images", whole_images, "images for the T-whole-passes reference")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{60000}));
  app.add_option("--threads", threads, "Torch threads (0: every core)")->check(CLI::Range(0, 1024));
  app.add_flag("--synthetic", synthetic, "random images instead of Fashion-MNIST");
  app.add_option("--device", device_name, "cpu, cuda or cuda:N");
  app.add_option("--model", model_name, "a built-in model (small_cnn, resnet18, mlp, cifar_cnn)")
      ->check(CLI::IsMember({"small_cnn", "resnet18", "mlp", "cifar_cnn"}));
  app.add_option("--images", pool_images, "pool images scored")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{60000}));
  CLI11_PARSE(app, argc, argv);
  try {
    const auto device = al::engine::resolve_device(device_name);
    // The block the engine scores with on this device.
    const auto batch = scoring_batch_for(device);
    set_torch_threads(threads);

    const auto all = synthetic ? torch::randn({60000, 1, 28, 28})
                               : load_dataset(al::data_config{}).train.images;
    const auto images = all.slice(0, 0, std::min(pool_images, all.size(0))).to(device);
    const auto n = images.size(0);
    const auto pool = torch::arange(n, torch::kLong);

    torch::manual_seed(0);
    auto model = make_builtin_model(model_name, {1, 28, 28, 10});
    model->to(device);
    model->set_head_dropout(mc_head_dropout);
    whole_passes forced(model);
    forced.set_head_dropout(mc_head_dropout);

    const auto bald_needs = al::bald_t::needs;
    // Warm-up: first-touch allocations and lazy kernel set-up.
    const auto warm = std::min<std::int64_t>(2048, n);
    scoring_pass(*model, images.slice(0, 0, warm), pool.slice(0, 0, warm), bald_needs,
                 batch, passes, 1);
    al::bench::synchronize(device);

    // Alternate the order so that warm-up and a neighbour's load favour
    // neither; keep the best of each.
    timing deterministic, head_only, whole;
    const auto time_deterministic = [&] {
      keep_best(deterministic, device, [&] { scoring_pass(*model, images, pool, al::need::probs, batch); });
    };
    const auto time_head_only = [&] {
      keep_best(head_only, device, [&] {
        scoring_pass(*model, images, pool, bald_needs, batch, passes, 1);
      });
    };
    for (int r = 0; r < repeats; ++r) {
      if (r % 2 == 0) {
        time_deterministic();
        time_head_only();
      } else {
        time_head_only();
        time_deterministic();
      }
    }
    const auto m = std::min(whole_images, n);
    keep_best(whole, device, [&] {
      scoring_pass(forced, images, pool.slice(0, 0, m), bald_needs, batch, passes, 1);
    });

    fmt::print("bald scoring pass, {} images, {} on {}, head dropout {}, T = {}, batch {}, "
               "{} threads; best of {} over all {} images (whole passes: once, first {})\n",
               synthetic ? "synthetic" : "Fashion-MNIST", model_name, device.str(), mc_head_dropout, passes,
               batch, torch::get_num_threads(), repeats, n, m);
    fmt::print("  {:34} {:>10} {:>14}\n", "", "images/s", "images/CPU-s");
    const auto line = [](std::string_view what, std::int64_t count, const timing& t) {
      fmt::print("  {:34} {:10.0f} {:14.0f}\n", what, static_cast<double>(count) / t.wall,
                 static_cast<double>(count) / t.cpu);
    };
    line("deterministic pass (probs)", n, deterministic);
    line("bald, head only (the engine)", n, head_only);
    line(fmt::format("bald, {} whole-model passes", passes), m, whole);
    // Cost per image relative to the deterministic pass.
    const auto cost = [&](const timing& t, std::int64_t count, bool cpu) {
      const double per_image = (cpu ? t.cpu : t.wall) / static_cast<double>(count);
      const double reference = (cpu ? deterministic.cpu : deterministic.wall) / static_cast<double>(n);
      return per_image / reference;
    };
    fmt::print("  cost in deterministic passes, wall (CPU): head only {:.2f} ({:.2f}), "
               "whole passes {:.2f} ({:.2f})\n",
               cost(head_only, n, false), cost(head_only, n, true), cost(whole, m, false),
               cost(whole, m, true));
    fmt::print("  head only is {:.1f}x ({:.1f}x by CPU time) faster than whole passes\n",
               cost(whole, m, false) / cost(head_only, n, false),
               cost(whole, m, true) / cost(head_only, n, true));
  } catch (const std::exception& e) {
    fmt::print(stderr, "bald_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
