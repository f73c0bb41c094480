// Self-supervised pretraining: speed against a bare LibTorch loop, and what a
// recipe buys at small label budgets.
//
//   Every mode takes --device auto|cpu|cuda (default cpu) and --model NAME
//   (a built-in model, default small_cnn): on a GPU the recipe and the
//   features can be checked with a larger encoder and far longer pretraining.
//   Recipe and features evaluate on --eval validation (the default: the
//   --validation N training images, 10 000 by default, that follow the pool
//   in its draw, so that no recipe is chosen on the test split) or
//   --eval test (the figures the lessons report).
//
//   pretrain_bench throughput [--images N] [--epochs E] [--repeats R]
//       SimSiam through the engine vs a hand-written two-view loop on the same
//       model, heads, batches and augmentations; and the share of a step
//       spent in the augmentations.
//   pretrain_bench recipe [--pretext simsiam|rotation] [--pool N] [--epochs E]
//                         [--lr X] [--batch B] [--wd X] [--budgets 100,500]
//                         [--seeds S] [--sets K] [--schemes M] [--train-lr X]
//                         [--train-wd X] [--probe-steps N] [--probe-lr X]
//                         [--ft-lr X] [--ft-wd X] [--random-encoder 1]
//       Pretrains on the pool (once per seed), then trains on K random label
//       sets of each budget from scratch and from the pretrained encoder by
//       the first M schemes (fine-tune at --train-lr/--train-wd; linear probe
//       of --probe-steps at --probe-lr; LP-FT: the default recipe's probe,
//       then fine-tuning at --ft-lr/--ft-wd; frozen convolutions; LP-FT
//       with the probe of --probe-steps), and prints accuracies and each
//       scheme's paired gain over scratch: the check used to tune the recipe.
//       --random-encoder 1 skips pretraining: the same schemes on the
//       untrained encoder.
//   pretrain_bench features [--pool N] [--epochs E] [--lr X] [--batch B] [--wd X]
//       What the embedding is worth without any training on labels: k-nearest-
//       neighbour accuracy from 20, 100 and 1000 labelled pool images and
//       from the whole pool, and the embedding's effective rank, for the raw
//       pixels, the untrained encoder and the SimSiam-pretrained one.
//
// Data: Fashion-MNIST (Debian's dataset-fashion-mnist). Figures go to
// docs/benchmarks.md and docs/self-supervised.md.

#include <CLI/CLI.hpp>
#include <al/al.hpp>
#include <al/metrics/learning_curve.hpp>
#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/pretrain.hpp>
#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stopwatch.hpp"

namespace {

using namespace al::engine;
using al::bench::clock_type;
using al::bench::seconds_since;
namespace nn = torch::nn;

/// The benchmark's options, by name without the dashes; CLI11 refuses any
/// other option and a missing value. Each mode reads the ones it uses.
constexpr const char* option_names[] = {
    "batch",    "budgets",     "device", "epochs", "eval",       "ft-lr",          "ft-wd",
    "images",   "lr",          "model",  "pool",   "pretext",    "probe-lr",       "probe-steps",
    "random-encoder", "repeats", "schemes", "seeds", "sets", "train-lr", "train-wd",
    "validation", "wd"};

/// Reads the mode and the options given into `mode` and `given`; returns
/// the exit status when the benchmark should stop (after --help: 0; after
/// a mistake, which CLI11 names: not 0).
std::optional<int> parse_options(int argc, char** argv, std::string& mode,
                                 std::map<std::string, std::string>& given) {
  CLI::App app{"SimSiam through the engine vs a bare loop; the recipe's small-budget gain"};
  app.add_option("mode", mode, "throughput, recipe or features")
      ->required()
      ->check(CLI::IsMember({"throughput", "recipe", "features"}));
  std::map<std::string, std::string> values;
  for (const char* name : option_names) {
    app.add_option(std::string("--") + name, values[name]);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  for (const char* name : option_names) {
    if (app.count(std::string("--") + name) > 0) given[name] = values[name];
  }
  return std::nullopt;
}

/// The option `name` as a number (all of it a number), or `fallback`.
double option(const std::map<std::string, std::string>& o, const std::string& name, double fallback) {
  const auto it = o.find(name);
  if (it == o.end()) return fallback;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size()) {
    throw std::invalid_argument("--" + name + " takes a number, got '" + it->second + "'");
  }
  return value;
}

/// Where the models, the data and the views live (--device), and which
/// built-in model is trained (--model): set once in main.
torch::Device bench_device = torch::kCPU;
std::string bench_model = "small_cnn";

/// Waits for queued GPU work, so that a time taken next includes it.
void wait_for_device() {
  if (bench_device.is_cuda()) torch::cuda::synchronize();
}

std::shared_ptr<classifier> fresh_model(std::uint64_t seed = 0) {
  torch::manual_seed(seed);
  auto model = make_builtin_model(bench_model, {1, 28, 28, 10});
  model->to(bench_device);
  return model;
}

/// The SimSiam step a LibTorch user would write by hand: the same heads as
/// the engine's, both views in one batch, SGD with a cosine schedule.
double bare_simsiam(classifier& model, const torch::Tensor& images, const pixel_normalisation& norm,
                    std::int64_t epochs, std::int64_t batch, double learning_rate) {
  const auto width = [&] {
    torch::NoGradGuard no_grad;
    model.eval();
    return model.embed(images.slice(0, 0, 1)).size(1);
  }();
  model.train();
  torch::manual_seed(1);
  nn::Sequential projector(nn::Linear(nn::LinearOptions(width, 512).bias(false)), nn::BatchNorm1d(512),
                           nn::ReLU(), nn::Linear(nn::LinearOptions(512, 512).bias(false)),
                           nn::BatchNorm1d(512));
  nn::Sequential predictor(nn::Linear(nn::LinearOptions(512, 128).bias(false)), nn::BatchNorm1d(128),
                           nn::ReLU(), nn::Linear(128, 512));
  projector->to(bench_device);
  predictor->to(bench_device);
  std::vector<torch::Tensor> params = model.parameters();
  for (const auto& p : projector->parameters()) params.push_back(p);
  for (const auto& p : predictor->parameters()) params.push_back(p);
  const double base = learning_rate * static_cast<double>(batch) / 256;
  torch::optim::SGD optimiser(params, torch::optim::SGDOptions(base).momentum(0.9).weight_decay(5e-4));
  auto order_generator = at::make_generator<at::CPUGeneratorImpl>(0);
  auto view_generator = at::make_generator<at::CPUGeneratorImpl>(1);
  const augmentation views;
  const auto n = images.size(0);
  const auto steps = n / batch;
  std::int64_t step = 0;
  const auto start = clock_type::now();
  for (std::int64_t e = 0; e < epochs; ++e) {
    const auto order = torch::randperm(n, order_generator, torch::kLong);
    for (std::int64_t s = 0; s < steps; ++s) {
      const double rate = base * 0.5 * (1 + std::cos(M_PI * double(step++) / double(steps * epochs)));
      static_cast<torch::optim::SGDOptions&>(optimiser.param_groups()[0].options()).lr(rate);
      const auto pixels = images.index_select(0, order.slice(0, s * batch, (s + 1) * batch)) * norm.std + norm.mean;
      const auto both = (torch::cat({augment(pixels, views, view_generator),
                                     augment(pixels, views, view_generator)}) - norm.mean) / norm.std;
      const auto z = projector->forward(model.embed(both));
      const auto p = predictor->forward(z);
      const auto z1 = z.slice(0, 0, batch).detach(), z2 = z.slice(0, batch).detach();
      const auto loss = -0.5 * (torch::cosine_similarity(p.slice(0, 0, batch), z2, 1).mean() +
                                torch::cosine_similarity(p.slice(0, batch), z1, 1).mean());
      optimiser.zero_grad();
      loss.backward();
      optimiser.step();
    }
  }
  wait_for_device();
  return seconds_since(start);
}

/// Seconds spent making the two views of every batch of `epochs` epochs.
double augmentation_only(const torch::Tensor& images, const pixel_normalisation& norm,
                         std::int64_t epochs, std::int64_t batch) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(1);
  const augmentation views;
  const auto steps = images.size(0) / batch;
  const auto start = clock_type::now();
  for (std::int64_t e = 0; e < epochs; ++e) {
    for (std::int64_t s = 0; s < steps; ++s) {
      const auto pixels = images.slice(0, s * batch, (s + 1) * batch) * norm.std + norm.mean;
      const auto both = (torch::cat({augment(pixels, views, generator), augment(pixels, views, generator)}) -
                         norm.mean) / norm.std;
      (void)both;
    }
  }
  wait_for_device();
  return seconds_since(start);
}

void bench_throughput(const dataset& data, const std::map<std::string, std::string>& o) {
  const auto n = static_cast<std::int64_t>(option(o, "images", 10240));
  const auto epochs = static_cast<std::int64_t>(option(o, "epochs", 2));
  const int repeats = static_cast<int>(option(o, "repeats", 2));
  const auto images = data.train.images.slice(0, 0, n);
  const pixel_normalisation norm{data.channel_mean, data.channel_std};
  al::pretrain_recipe recipe;
  recipe.epochs = epochs;
  const double processed = double(n / recipe.batch_size * recipe.batch_size * epochs);
  double engine_best = 1e30, bare_best = 1e30, augment_best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    // Alternate which loop goes first so warm-up favours neither.
    auto time_engine = [&] {
      auto model = fresh_model();
      const auto start = clock_type::now();
      pretrain_encoder(*model, images, norm, recipe, 0);
      wait_for_device();
      engine_best = std::min(engine_best, seconds_since(start));
    };
    auto time_bare = [&] {
      auto model = fresh_model();
      bare_best = std::min(bare_best, bare_simsiam(*model, images, norm, epochs, recipe.batch_size,
                                                   recipe.learning_rate));
    };
    if (r % 2 == 0) { time_engine(); time_bare(); } else { time_bare(); time_engine(); }
    augment_best = std::min(augment_best, augmentation_only(images, norm, epochs, recipe.batch_size));
  }
  fmt::print("SimSiam pretraining, {} images x {} epochs, batch {}, {} threads (best of {}):\n", n,
             epochs, recipe.batch_size, torch::get_num_threads(), repeats);
  fmt::print("  engine    {:7.2f} s  {:7.0f} images/s\n", engine_best, processed / engine_best);
  fmt::print("  bare loop {:7.2f} s  {:7.0f} images/s  (engine/bare time {:.2f})\n", bare_best,
             processed / bare_best, engine_best / bare_best);
  fmt::print("  augmentations alone {:.2f} s: {:.1f}% of the engine's pretraining time\n",
             augment_best, 100 * augment_best / engine_best);
}

/// Trains `model` on the labelled images with the default recipe, changed by `adjust`.
template <class Adjust>
void train_on(classifier& model, const torch::Tensor& images, const torch::Tensor& labels,
              std::uint64_t seed, Adjust&& adjust) {
  al::train_recipe recipe;
  adjust(recipe);
  train_classifier(model, images, labels, recipe, seed);
}

/// The ways a pretrained encoder can meet its labels, besides training from
/// scratch. Each starts from the encoder and the fresh model's head (as a
/// run does) and trains on the same labels with the same seed.
struct scheme {
  std::string name;
  std::function<void(classifier&, const torch::Tensor&, const torch::Tensor&, std::uint64_t)> train;
};

std::vector<scheme> fine_tuning_schemes(const std::map<std::string, std::string>& o) {
  const double tune_rate = option(o, "train-lr", 1e-3);
  const double tune_decay = option(o, "train-wd", 5e-4);
  // The default recipe's 300 Adam steps at 1e-3 leave a probe on raw
  // embeddings undertrained; --probe-steps and --probe-lr fit it fully.
  const auto probe_steps = static_cast<std::int64_t>(option(o, "probe-steps", 300));
  const double probe_rate = option(o, "probe-lr", 1e-3);
  // LP-FT's fine-tuning phase.
  const double lp_ft_rate = option(o, "ft-lr", 3e-4);
  const double lp_ft_decay = option(o, "ft-wd", 0);
  using tensor = torch::Tensor;
  const auto fine_tune = [=](classifier& m, const tensor& x, const tensor& y, std::uint64_t seed,
                             double rate, double decay) {
    train_on(m, x, y, seed, [&](al::train_recipe& r) {
      r.learning_rate = rate;
      r.weight_decay = decay;
    });
  };
  const auto fit_probe = [=](classifier& m, const tensor& x, const tensor& y, std::uint64_t seed) {
    train_on(m, x, y, seed, [&](al::train_recipe& r) {
      r.linear_probe = true;
      r.min_steps = probe_steps;
      r.learning_rate = probe_rate;
    });
  };
  std::vector<scheme> all{
      {"fine-tune",
       [=](classifier& m, const tensor& x, const tensor& y, std::uint64_t seed) {
         fine_tune(m, x, y, seed, tune_rate, tune_decay);
       }},
      {"linear probe", fit_probe},
      // Kumar et al. (2022), LP-FT: fit the head on the frozen encoder first
      // (with the default recipe), so that fine-tuning does not start from a
      // random head's gradients.
      {"probe, then fine-tune",
       [=](classifier& m, const tensor& x, const tensor& y, std::uint64_t seed) {
         train_on(m, x, y, seed, [](al::train_recipe& r) { r.linear_probe = true; });
         fine_tune(m, x, y, seed, lp_ft_rate, lp_ft_decay);
       }},
      // The convolutions stay as pretraining left them; the embedding layer
      // (the small CNNs') and the head learn.
      {"frozen convolutions",
       [=](classifier& m, const torch::Tensor& x, const torch::Tensor& y, std::uint64_t seed) {
         for (auto& p : m.named_parameters()) {
           const bool learns = p.key().rfind("embedding", 0) == 0 || p.key().rfind("head", 0) == 0;
           if (!learns) p.value().set_requires_grad(false);
         }
         fine_tune(m, x, y, seed, tune_rate, tune_decay);
       }},
      // LP-FT with the probe of --probe-steps and --probe-lr.
      {"fitted probe, then fine-tune",
       [=](classifier& m, const tensor& x, const tensor& y, std::uint64_t seed) {
         fit_probe(m, x, y, seed);
         fine_tune(m, x, y, seed, lp_ft_rate, lp_ft_decay);
       }},
  };
  const double wanted = std::clamp(option(o, "schemes", 2), 1.0, static_cast<double>(all.size()));
  all.resize(static_cast<std::size_t>(wanted));
  return all;
}

std::vector<std::int64_t> budgets_of(const std::map<std::string, std::string>& o) {
  std::vector<std::int64_t> budgets;
  const auto it = o.find("budgets");
  const std::string text = it == o.end() ? "100,500" : it->second;
  for (std::size_t at = 0; at < text.size();) {
    const auto comma = text.find(',', at);
    budgets.push_back(std::stoll(text.substr(at, comma - at)));
    at = comma == std::string::npos ? text.size() : comma + 1;
  }
  return budgets;
}

/// The default pretraining recipe of --pretext, changed by --epochs, --lr,
/// --batch and --wd.
al::pretrain_recipe recipe_of(const std::map<std::string, std::string>& o) {
  const auto named = o.find("pretext");
  // Constructed with its pretext, so that the default learning rate is that task's.
  al::pretrain_recipe recipe{named != o.end() && named->second == "rotation" ? al::pretext::rotation
                                                                            : al::pretext::simsiam};
  recipe.epochs = static_cast<std::int64_t>(option(o, "epochs", double(recipe.epochs)));
  recipe.learning_rate = option(o, "lr", recipe.learning_rate);
  recipe.batch_size = static_cast<std::int64_t>(option(o, "batch", double(recipe.batch_size)));
  recipe.weight_decay = option(o, "wd", recipe.weight_decay);
  fmt::print("{} pretraining: {} epochs, batch {}, lr {}, weight decay {}\n",
             to_string(recipe.pretext), recipe.epochs, recipe.batch_size, recipe.learning_rate,
             recipe.weight_decay);
  return recipe;
}

/// Pretrains `model` on the pool, printing each epoch's loss.
void pretrain_with_progress(classifier& model, const dataset& data, const al::pretrain_recipe& recipe,
                            std::uint64_t seed) {
  const pixel_normalisation norm{data.channel_mean, data.channel_std};
  const auto start = clock_type::now();
  const auto summary = pretrain_encoder(model, data.train.images, norm, recipe, seed,
                                        [&](std::int64_t e, double loss) {
                                          fmt::print("  epoch {}: loss {:.4f} ({:.0f} s)\n", e,
                                                     loss, seconds_since(start));
                                          std::fflush(stdout);
                                        });
  fmt::print("seed {}: {} {} epochs on {} images in {:.0f} s, final loss {:.4f}\n", seed,
             to_string(recipe.pretext), recipe.epochs, data.train.size(), seconds_since(start),
             summary.final_loss);
}

void bench_recipe(const dataset& data, const std::map<std::string, std::string>& o) {
  const auto recipe = recipe_of(o);
  const int seeds = static_cast<int>(option(o, "seeds", 1));
  // Label sets per pretrained encoder: pretraining is the expensive part,
  // and the gain's spread over label sets is what decides whether it is clear.
  const int sets = static_cast<int>(option(o, "sets", 1));
  const auto budgets = budgets_of(o);
  const auto schemes = fine_tuning_schemes(o);
  // gains[budget][scheme]: accuracy minus scratch's on the same labels, in points.
  std::map<std::int64_t, std::vector<std::vector<double>>> gains;
  for (const auto budget : budgets) gains[budget].resize(schemes.size());
  for (int seed = 0; seed < seeds; ++seed) {
    auto pretrained = fresh_model(seed);
    // --random-encoder 1: the "pretrained" encoder is the untrained one, the
    // baseline that says how much of a gain is pretraining's.
    if (option(o, "random-encoder", 0) == 0) {
      pretrain_with_progress(*pretrained, data, recipe, seed);
    } else {
      fmt::print("seed {}: the untrained encoder\n", seed);
    }
    const auto encoder = pretrained->named_parameters();
    const auto encoder_buffers = pretrained->named_buffers();
    // The pretrained encoder under the fresh model's head, as a run starts.
    auto from_encoder = [&](std::uint64_t head_seed) {
      auto m = fresh_model(head_seed);
      torch::NoGradGuard no_grad;
      for (auto& p : m->named_parameters()) {
        if (p.key().rfind("head", 0) != 0) p.value().copy_(encoder[p.key()]);
      }
      for (auto& b : m->named_buffers()) b.value().copy_(encoder_buffers[b.key()]);
      return m;
    };
    for (int set = 0; set < sets; ++set) {
      const auto label_seed = static_cast<std::uint64_t>(100 + seed * sets + set);
      auto generator = at::make_generator<at::CPUGeneratorImpl>(label_seed);
      const auto order = torch::randperm(data.train.size(), generator, torch::kLong).to(bench_device);
      for (const auto budget : budgets) {
        const auto labelled = order.slice(0, 0, budget);
        const auto x = data.train.images.index_select(0, labelled);
        const auto y = data.train.labels.index_select(0, labelled);
        auto scratch = fresh_model(label_seed);
        train_on(*scratch, x, y, label_seed, [](al::train_recipe&) {});
        const double from_scratch = evaluate(*scratch, data.test, data.num_classes()).accuracy;
        fmt::print("  set {} {:5} labels: scratch {:.2f}%", set, budget, 100 * from_scratch);
        for (std::size_t k = 0; k < schemes.size(); ++k) {
          auto model = from_encoder(label_seed);
          schemes[k].train(*model, x, y, label_seed);
          const double accuracy = evaluate(*model, data.test, data.num_classes()).accuracy;
          gains[budget][k].push_back(100 * (accuracy - from_scratch));
          fmt::print("  {} {:.2f}%", schemes[k].name, 100 * accuracy);
        }
        fmt::print("\n");
        std::fflush(stdout);
      }
    }
  }
  fmt::print("gain over scratch on the same labels, points: mean ± sd over {} label sets "
             "(positive in how many)\n",
             seeds * sets);
  for (const auto budget : budgets) {
    fmt::print("  {:5} labels:", budget);
    for (std::size_t k = 0; k < schemes.size(); ++k) {
      const auto& g = gains[budget][k];
      const auto summary = al::summarize(g);
      fmt::print("  {} {:+.2f} ± {:.2f} ({}/{})", schemes[k].name, summary.mean, summary.std,
                 std::count_if(g.begin(), g.end(), [](double d) { return d > 0; }), g.size());
    }
    fmt::print("\n");
  }
}

/// The encoder's embedding of every image, by the engine's scoring pass.
torch::Tensor embed_all(classifier& model, const torch::Tensor& images) {
  const auto every = torch::arange(images.size(0), torch::kLong);
  return scoring_pass(model, images, every, al::needs_set{al::need::embedding}).embedding;
}

/// Weighted k-nearest-neighbour accuracy on the evaluated embeddings (Wu et al.
/// 2018, the usual check of a self-supervised embedding): the k most cosine-
/// similar labelled rows vote with weight exp(similarity / 0.07). Test rows
/// go a block at a time, so memory stays O(block × labelled).
double knn_accuracy(const torch::Tensor& labelled, const torch::Tensor& labels,
                    const torch::Tensor& test, const torch::Tensor& test_labels,
                    std::int64_t num_classes, std::int64_t k) {
  namespace F = torch::nn::functional;
  const auto unit = [](const torch::Tensor& x) {
    return F::normalize(x, F::NormalizeFuncOptions().dim(1));
  };
  const auto reference = unit(labelled);
  k = std::min(k, reference.size(0));
  std::int64_t correct = 0;
  for (std::int64_t at = 0; at < test.size(0); at += 1000) {
    const auto [similarity, nearest] = unit(test.slice(0, at, at + 1000)).mm(reference.t()).topk(k, 1);
    auto votes = torch::zeros({similarity.size(0), num_classes}, similarity.options());
    votes.scatter_add_(1, labels.index_select(0, nearest.flatten()).view_as(nearest),
                       (similarity / 0.07).exp());
    correct += votes.argmax(1).eq(test_labels.slice(0, at, at + 1000)).sum().item<std::int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(test.size(0));
}

/// exp(entropy of the normalised singular values) of the centred unit-length
/// embeddings (Roy & Vetterli 2007): how many directions the embedding
/// really uses. A collapsing self-supervised encoder loses them.
double effective_rank(const torch::Tensor& embedding) {
  namespace F = torch::nn::functional;
  auto unit = F::normalize(embedding, F::NormalizeFuncOptions().dim(1));
  unit = unit - unit.mean(0);
  const auto singular = torch::linalg::svdvals(unit, c10::nullopt);
  const auto share = singular / singular.sum();
  return (-(share * (share + 1e-12).log()).sum()).exp().item<double>();
}

/// kNN accuracies from 20, 100 and 1000 labels (five label sets for the
/// small budgets) and from the whole pool, and the effective rank.
void describe_embedding(std::string_view name, const torch::Tensor& pool, const torch::Tensor& test,
                        const dataset& data) {
  const auto classes = data.num_classes();
  fmt::print("  {:18} rank {:5.1f} of {:3}  kNN accuracy:", name, effective_rank(pool), pool.size(1));
  for (const std::int64_t budget : {20, 100, 1000}) {
    if (budget >= pool.size(0)) break;  // "all" below covers it
    const int sets = budget >= 1000 ? 1 : 5;
    double sum = 0;
    for (int set = 0; set < sets; ++set) {
      auto generator = at::make_generator<at::CPUGeneratorImpl>(100 + set);
      const auto labelled =
          torch::randperm(pool.size(0), generator, torch::kLong).slice(0, 0, budget).to(bench_device);
      sum += knn_accuracy(pool.index_select(0, labelled), data.train.labels.index_select(0, labelled),
                          test, data.test.labels, classes, 10);
    }
    fmt::print("  {} labels {:.1f}%", budget, 100 * sum / sets);
  }
  fmt::print("  all {} {:.1f}%\n", pool.size(0),
             100 * knn_accuracy(pool, data.train.labels, test, data.test.labels, classes, 20));
  std::fflush(stdout);
}

void bench_features(const dataset& data, const std::map<std::string, std::string>& o) {
  const auto recipe = recipe_of(o);
  auto model = fresh_model(0);
  fmt::print("embedding of the pool and the evaluation split:\n");
  describe_embedding("pixels", data.train.images.flatten(1), data.test.images.flatten(1), data);
  describe_embedding("untrained encoder", embed_all(*model, data.train.images),
                     embed_all(*model, data.test.images), data);
  pretrain_with_progress(*model, data, recipe, 0);
  describe_embedding(to_string(recipe.pretext), embed_all(*model, data.train.images),
                     embed_all(*model, data.test.images), data);
}

}  // namespace

/// The dataset, moved to --device.
dataset on_device(dataset data) {
  for (auto* split : {&data.train, &data.test}) {
    split->images = split->images.to(bench_device);
    split->labels = split->labels.to(bench_device);
  }
  data.channel_mean = data.channel_mean.to(bench_device);
  data.channel_std = data.channel_std.to(bench_device);
  return data;
}

/// Training images outside the pool, the split a recipe is chosen on: the
/// test split only reports (the protocol's "no test-set peeking"). The pool
/// is the first pool_size of the permutation load_dataset draws with
/// subset_seed; these are the next `count`.
labelled_images validation_split(const al::data_config& pool_config, const labelled_images& pool,
                                 std::int64_t count) {
  auto whole = pool_config;
  whole.pool_size = 0;
  const auto train = load_dataset(whole).train;
  if (pool_config.pool_size == 0 || pool_config.pool_size + count > train.size()) {
    throw std::invalid_argument(fmt::format(
        "--pool {} (0: all) and --validation {} need more than the {} training images; lower "
        "one, or evaluate on the test split with --eval test",
        pool_config.pool_size, count, train.size()));
  }
  auto generator = at::make_generator<at::CPUGeneratorImpl>(pool_config.subset_seed);
  const auto order = torch::randperm(train.size(), generator, torch::kLong);
  const auto sorted = [&](std::int64_t from, std::int64_t size) {
    return std::get<0>(order.narrow(0, from, size).sort());
  };
  // The split is disjoint from the pool only while this draw is the loader's.
  if (!torch::equal(train.labels.index_select(0, sorted(0, pool_config.pool_size)),
                    pool.labels.cpu())) {
    throw std::logic_error("validation_split no longer draws the pool as load_dataset does");
  }
  const auto picked = sorted(pool_config.pool_size, count);
  return {train.images.index_select(0, picked), train.labels.index_select(0, picked)};
}

int main(int argc, char** argv) try {
  std::string mode;
  std::map<std::string, std::string> o;
  if (const auto stop = parse_options(argc, argv, mode, o)) return *stop;
  set_torch_threads(0);
  const auto device = o.find("device");
  bench_device = resolve_device(device == o.end() ? "cpu" : device->second);
  if (const auto model = o.find("model"); model != o.end()) bench_model = model->second;
  fresh_model();  // an unknown model name stops here, before the data loads
  al::data_config c;
  c.pool_size = static_cast<std::int64_t>(option(o, "pool", 20000));
  auto loaded = load_dataset(c);
  const auto evaluation = o.count("eval") != 0 ? o.at("eval") : std::string("validation");
  if (evaluation == "validation") {
    const auto count = static_cast<std::int64_t>(option(o, "validation", 10000));
    loaded.test = validation_split(c, loaded.train, count);
    fmt::print("evaluated on {} validation images: training images outside the pool\n", count);
  } else if (evaluation == "test") {
    fmt::print("evaluated on the {} test images\n", loaded.test.size());
  } else {
    throw std::invalid_argument("--eval takes validation (the default) or test, got " + evaluation);
  }
  // From here on `data.test` is the evaluation split, whichever --eval chose.
  const auto data = on_device(std::move(loaded));
  if (mode == "throughput") bench_throughput(data, o);
  else if (mode == "recipe") bench_recipe(data, o);
  else bench_features(data, o);
  return 0;
} catch (const std::exception& error) {
  fmt::print(stderr, "pretrain_bench: {}\n", error.what());
  return 1;
}
