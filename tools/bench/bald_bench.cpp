// What BALD's MC-dropout scoring pass costs: the engine's head-only pass
// (encoder once, head sampled T times) against one deterministic pass and
// against T whole-model passes, on Fashion-MNIST's 60k training images with
// the small CNN and its 0.5 head dropout.
//
//   bald_bench [--passes T] [--repeats R] [--whole-images N] [--threads N] [--synthetic]
//
// The whole-model method is the engine's own path for a model with dropout
// in its encoder, forced on the same network, so the three figures differ
// only in the method. Both BALD passes compute what a run of `bald` asks
// for: the deterministic probabilities and the mutual information. The
// whole-model method, about T + 1 times the work, is timed once on the
// first N images (default 10000) to keep the benchmark short; its rate per
// image does not depend on N beyond a few blocks.

#include <al/al.hpp>
#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string_view>

namespace {

using namespace al::engine;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

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

template <class Pass>
double seconds_of(Pass&& pass) {
  const auto start = clock_type::now();
  pass();
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t passes = default_mc_passes;
  int repeats = 3;
  std::int64_t whole_images = 10000;
  int threads = 0;  // every core
  bool synthetic = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--passes" && i + 1 < argc) {
      passes = std::atoll(argv[++i]);
    } else if (arg == "--repeats" && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--whole-images" && i + 1 < argc) {
      whole_images = std::max<std::int64_t>(1, std::atoll(argv[++i]));
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::max(0, std::atoi(argv[++i]));
    } else if (arg == "--synthetic") {
      synthetic = true;
    } else {
      fmt::print(stderr,
                 "usage: bald_bench [--passes T] [--repeats R] [--whole-images N] [--threads N] "
                 "[--synthetic]\n");
      return 2;
    }
  }
  set_torch_threads(threads);

  const auto images = synthetic ? torch::randn({60000, 1, 28, 28})
                                : load_dataset(al::data_config{}).train.images;
  const auto n = images.size(0);
  const auto pool = torch::arange(n, torch::kLong);

  torch::manual_seed(0);
  auto model = make_small_cnn({1, 28, 28, 10});
  model->set_head_dropout(mc_head_dropout);
  whole_passes forced(model);
  forced.set_head_dropout(mc_head_dropout);

  const auto bald_needs = al::bald_t::needs;
  // Warm-up: first-touch allocations and lazy kernel set-up.
  scoring_pass(*model, images.slice(0, 0, 2048), pool.slice(0, 0, 2048), bald_needs,
               default_scoring_batch, passes, 1);

  // Alternate the order so that warm-up and a neighbour's load favour
  // neither; keep the best of each.
  double deterministic = 1e30, head_only = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto time_deterministic = [&] {
      deterministic = std::min(deterministic, seconds_of([&] {
                                 scoring_pass(*model, images, pool, al::need::probs);
                               }));
    };
    const auto time_head_only = [&] {
      head_only = std::min(head_only, seconds_of([&] {
                             scoring_pass(*model, images, pool, bald_needs, default_scoring_batch,
                                          passes, 1);
                           }));
    };
    if (r % 2 == 0) {
      time_deterministic();
      time_head_only();
    } else {
      time_head_only();
      time_deterministic();
    }
  }
  const auto m = std::min(whole_images, n);
  const double whole = seconds_of([&] {
    scoring_pass(forced, images, pool.slice(0, 0, m), bald_needs, default_scoring_batch, passes, 1);
  });

  const auto per_second = [](std::int64_t count, double seconds) {
    return static_cast<double>(count) / seconds;
  };
  const double deterministic_rate = per_second(n, deterministic);
  const double head_only_rate = per_second(n, head_only);
  const double whole_rate = per_second(m, whole);
  fmt::print("bald scoring pass, {} images, small CNN, head dropout {}, T = {}, batch {}, "
             "{} threads; best of {} over all {} images (whole passes: once, first {})\n",
             synthetic ? "synthetic" : "Fashion-MNIST", mc_head_dropout, passes,
             default_scoring_batch, torch::get_num_threads(), repeats, n, m);
  fmt::print("  deterministic pass (probs)       : {:8.0f} images/s ({:.2f} s)\n",
             deterministic_rate, deterministic);
  fmt::print("  bald, head only (the engine)     : {:8.0f} images/s ({:.2f} s)\n", head_only_rate,
             head_only);
  fmt::print("  bald, {} whole-model passes      : {:8.0f} images/s ({:.2f} s)\n", passes,
             whole_rate, whole);
  fmt::print("  head-only bald costs {:.2f} deterministic passes; whole passes cost {:.2f}\n",
             deterministic_rate / head_only_rate, deterministic_rate / whole_rate);
  fmt::print("  head only is {:.1f}x faster than whole passes\n", head_only_rate / whole_rate);
  return 0;
}
