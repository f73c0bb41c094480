// Engine throughput against bare LibTorch loops on the same model and data.
//
//   engine_bench train   — engine trainer vs a hand-written training loop
//   engine_bench score   — scoring pass over the pool vs raw forward passes
//   engine_bench dsl     — a typed pipeline vs the same pipeline parsed from text
//
// Data: Fashion-MNIST's training images (in memory), or random images of
// the same shape with --synthetic. Figures go to docs/benchmarks.md.
// train and score run on --device (cpu, cuda, cuda:N) with --model (a
// built-in model: small_cnn, resnet18, ...); on a GPU the data and the model
// live on it and the clock is read after the GPU has finished.

#include <CLI/CLI.hpp>
#include <al/al.hpp>
#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>

#include <string_view>

#include "device.hpp"
#include "stopwatch.hpp"

namespace {

using namespace al::engine;
using al::bench::clock_type;
using al::bench::seconds_since;

labelled_images load_images(bool synthetic) {
  if (synthetic) {
    return {torch::randn({60000, 1, 28, 28}), torch::randint(0, 10, {60000}, torch::kLong)};
  }
  al::data_config c;
  return load_dataset(c).train;
}

/// What train and score measure: which model, on which device.
struct subject {
  std::string model = "small_cnn";
  torch::Device device = torch::kCPU;
};

std::shared_ptr<classifier> fresh_model(const subject& on) {
  torch::manual_seed(0);
  auto model = make_builtin_model(on.model, {1, 28, 28, 10});
  model->to(on.device);
  return model;
}

/// The training loop a LibTorch user would write by hand.
void bare_training_loop(classifier& model, const torch::Tensor& images, const torch::Tensor& labels,
                        std::int64_t epochs, std::int64_t batch) {
  torch::optim::Adam optimiser(model.parameters(), torch::optim::AdamOptions(1e-3).weight_decay(5e-4));
  auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
  model.train();
  const auto n = images.size(0);
  for (std::int64_t e = 0; e < epochs; ++e) {
    const auto order = torch::randperm(n, generator, torch::kLong);
    for (std::int64_t s = 0; s < n; s += batch) {
      // The order is drawn on the CPU, as the engine draws it, then moved.
      const auto idx = order.slice(0, s, std::min(n, s + batch)).to(images.device());
      optimiser.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model.forward(images.index_select(0, idx)),
                                                       labels.index_select(0, idx));
      loss.backward();
      optimiser.step();
    }
  }
}

void bench_train(const labelled_images& data, const subject& on, std::int64_t n, std::int64_t epochs,
                 int repeats) {
  n = std::min(n, data.images.size(0));
  const auto images = data.images.slice(0, 0, n).to(on.device);
  const auto labels = data.labels.slice(0, 0, n).to(on.device);
  al::train_recipe recipe;
  recipe.epochs = epochs;
  recipe.min_steps = 0;
  double engine_best = 1e30, bare_best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    // Alternate which loop goes first so warm-up favours neither.
    auto time_engine = [&] {
      auto model = fresh_model(on);
      const auto start = clock_type::now();
      train_classifier(*model, images, labels, recipe, 0);
      al::bench::synchronize(on.device);
      engine_best = std::min(engine_best, seconds_since(start));
    };
    auto time_bare = [&] {
      auto model = fresh_model(on);
      const auto start = clock_type::now();
      bare_training_loop(*model, images, labels, epochs, recipe.batch_size);
      al::bench::synchronize(on.device);
      bare_best = std::min(bare_best, seconds_since(start));
    };
    if (r % 2 == 0) {
      time_engine();
      time_bare();
    } else {
      time_bare();
      time_engine();
    }
  }
  const double samples = static_cast<double>(n * epochs);
  fmt::print("train  {} on {}, {} samples x {} epochs, batch {}, best of {}\n", on.model, on.device.str(), n,
             epochs, recipe.batch_size, repeats);
  fmt::print("  engine trainer : {:8.0f} samples/s ({:.2f} s)\n", samples / engine_best, engine_best);
  fmt::print("  bare loop      : {:8.0f} samples/s ({:.2f} s)\n", samples / bare_best, bare_best);
  fmt::print("  engine / bare  : {:.3f} of the bare loop's throughput\n", bare_best / engine_best);
}

void bench_score(const labelled_images& data, const subject& on, std::int64_t images_wanted,
                 std::int64_t batch, int repeats) {
  auto model = fresh_model(on);
  model->eval();
  const auto n = std::min(images_wanted, data.images.size(0));
  const auto images = data.images.slice(0, 0, n).to(on.device);
  // The engine scores the unlabelled pool, a scattered index set.
  const auto unlabelled = torch::arange(0, n, torch::kLong);
  double pass_best = 1e30, raw_best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto start = clock_type::now();
    const auto outputs = scoring_pass(*model, images, unlabelled, al::need::probs, batch);
    al::bench::synchronize(on.device);
    pass_best = std::min(pass_best, seconds_since(start));
    start = clock_type::now();
    {
      torch::NoGradGuard no_grad;
      for (std::int64_t s = 0; s < n; s += batch) {
        const auto logits = model->forward(images.slice(0, s, std::min(n, s + batch)));
        (void)logits;
      }
    }
    al::bench::synchronize(on.device);
    raw_best = std::min(raw_best, seconds_since(start));
  }
  fmt::print("score  {} on {}, {} images, batch {}, best of {}\n", on.model, on.device.str(), n, batch,
             repeats);
  fmt::print("  scoring pass (probs) : {:8.0f} images/s ({:.2f} s)\n", n / pass_best, pass_best);
  fmt::print("  raw forward          : {:8.0f} images/s ({:.2f} s)\n", n / raw_best, raw_best);
  fmt::print("  pass / raw time      : {:.3f}\n", pass_best / raw_best);
}

/// Composition must cost nothing at run time: the typed pipeline and its
/// text form lower to the same plan, so runs are identical and equally fast.
void bench_dsl(int repeats) {
  using namespace al;
  using al::random;
  const auto typed = initial(random, 100) | train.epochs(10) | cycle(3, query(entropy, 100));
  const auto text = to_string(typed);
  config c;
  c.data.pool_size = 5000;
  c.data.test_size = 2000;
  c.results_dir = std::filesystem::temp_directory_path() / "alpipe-bench-dsl";
  c.verbose = false;
  double typed_best = 1e30, text_best = 1e30;
  bool identical = true;
  for (int r = 0; r < repeats; ++r) {
    run_report a, b;
    // A results folder holding finished cycles is resumed, not rerun: each
    // timed run starts from an empty one.
    auto fresh_folder = [&] { std::filesystem::remove_all(c.results_dir); };
    auto time_typed = [&] {
      fresh_folder();
      const auto start = clock_type::now();
      a = run(typed, c);
      typed_best = std::min(typed_best, seconds_since(start));
      fmt::print("  typed {:.2f}\n", seconds_since(start));
    };
    auto time_text = [&] {
      fresh_folder();
      const auto start = clock_type::now();
      b = run_plan(parse(text), c);
      text_best = std::min(text_best, seconds_since(start));
      fmt::print("  text  {:.2f}\n", seconds_since(start));
    };
    // Alternate which goes first so warm-up favours neither.
    if (r % 2 == 0) {
      time_typed();
      time_text();
    } else {
      time_text();
      time_typed();
    }
    for (std::size_t i = 0; i < a.cycles.size(); ++i) {
      identical = identical && a.cycles[i].queried == b.cycles[i].queried &&
                  a.cycles[i].accuracy == b.cycles[i].accuracy;
    }
  }
  fmt::print("dsl    {} on a 5000-image pool, best of {}\n", text, repeats);
  fmt::print("  typed pipeline : {:.2f} s\n", typed_best);
  fmt::print("  parsed text    : {:.2f} s\n", text_best);
  fmt::print("  identical labelled indices and accuracies: {}\n", identical ? "yes" : "NO");
}

}  // namespace

int main(int argc, char** argv) {
  std::string what;
  bool synthetic = false;
  int threads = 0;
  std::int64_t batch = 0;
  std::string device = "cpu";
  subject on;
  std::int64_t samples = 2000;  // train: the labelled set
  std::int64_t epochs = 5;
  std::int64_t images = 60000;  // score: the pool
  int repeats = 0;              // 0: 4 for train, 3 for score
  CLI::App app{"the engine's trainer and scoring pass against bare LibTorch loops; typed vs "
               "parsed DSL"};
  app.add_option("benchmark", what, "train, score or dsl")
      ->required()
      ->check(CLI::IsMember({"train", "score", "dsl"}));
  app.add_flag("--synthetic", synthetic, "random images instead of Fashion-MNIST");
  app.add_option("--threads", threads, "Torch threads (0: every core)")->check(CLI::Range(0, 1024));
  app.add_option("--batch", batch,
                 "scoring batch size (score); 0: the engine's for the device, 256 on the CPU, "
                 "4 096 on a GPU")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000}));
  app.add_option("--device", device, "train, score: cpu, cuda or cuda:N");
  app.add_option("--model", on.model, "train, score: a built-in model (small_cnn, resnet18, mlp, cifar_cnn)")
      ->check(CLI::IsMember({"small_cnn", "resnet18", "mlp", "cifar_cnn"}));
  app.add_option("--samples", samples, "train: training samples")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{60000}));
  app.add_option("--epochs", epochs, "train: epochs")->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
  app.add_option("--images", images, "score: pool images")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{60000}));
  app.add_option("--repeats", repeats, "timed repetitions, best kept (0: 4 for train, 3 for score)")
      ->check(CLI::Range(0, 1000));
  CLI11_PARSE(app, argc, argv);
  try {
    on.device = al::engine::resolve_device(device);
    set_torch_threads(threads);
    fmt::print("torch threads: {}\n", torch::get_num_threads());
    if (what == "dsl") {
      bench_dsl(repeats > 0 ? repeats : 4);
      return 0;
    }
    const auto data = load_images(synthetic);
    if (what == "train") bench_train(data, on, samples, epochs, repeats > 0 ? repeats : 4);
    else bench_score(data, on, images, batch > 0 ? batch : scoring_batch_for(on.device),
                     repeats > 0 ? repeats : 3);
  } catch (const std::exception& e) {
    fmt::print(stderr, "engine_bench: {}\n", e.what());
    return 1;
  }
}
