// Training, evaluation and the scoring pass: the three loops of a cycle.

#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <thread>

namespace al::engine {

torch::Device resolve_device(std::string_view name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available()) {
      throw std::invalid_argument(
          "device \"cuda\" was asked for but this LibTorch sees no CUDA device; use \"cpu\" or "
          "\"auto\", or build against a CUDA LibTorch (CMAKE_PREFIX_PATH)");
    }
    return torch::kCUDA;
  }
  if (name == "auto") return torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
  throw std::invalid_argument(
      fmt::format("unknown device \"{}\"; use \"auto\", \"cpu\" or \"cuda\"", name));
}

void set_torch_threads(int threads) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads > 0 ? threads : cores);
}

namespace {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(classifier& model,
                                                        const train_recipe& recipe) {
  if (recipe.optimizer == optimizer::sgd) {
    return std::make_unique<torch::optim::SGD>(
        model.parameters(), torch::optim::SGDOptions(recipe.learning_rate)
                                .momentum(recipe.momentum)
                                .weight_decay(recipe.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(
      model.parameters(),
      torch::optim::AdamOptions(recipe.learning_rate).weight_decay(recipe.weight_decay));
}

void check_recipe(const train_recipe& recipe) {
  if (recipe.batch_size <= 0 || recipe.epochs < 0 || recipe.min_steps < 0 ||
      !(recipe.learning_rate > 0)) {
    throw std::invalid_argument(fmt::format(
        "train recipe needs batch_size > 0, epochs >= 0, min_steps >= 0 and lr > 0 "
        "(got batch_size={}, epochs={}, min_steps={}, lr={})",
        recipe.batch_size, recipe.epochs, recipe.min_steps, recipe.learning_rate));
  }
}

}  // namespace

training_summary train_classifier(classifier& model, const torch::Tensor& images,
                                  const torch::Tensor& labels, const train_recipe& recipe,
                                  std::uint64_t seed) {
  check_recipe(recipe);
  const std::int64_t n = images.size(0);
  if (n == 0) throw std::invalid_argument("cannot train on an empty labelled set");
  const std::int64_t steps_per_epoch = (n + recipe.batch_size - 1) / recipe.batch_size;
  // With few labels an epoch is a handful of steps; min_steps keeps the
  // smallest budgets from being undertrained.
  const std::int64_t epochs =
      std::max(recipe.epochs, (recipe.min_steps + steps_per_epoch - 1) / steps_per_epoch);

  auto optimiser = make_optimizer(model, recipe);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  model.train();
  training_summary summary;
  summary.epochs = epochs;
  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    const auto order = torch::randperm(n, generator, torch::kLong).to(images.device());
    auto loss_sum = torch::zeros({}, images.options());
    for (std::int64_t start = 0; start < n; start += recipe.batch_size) {
      const auto batch = order.slice(0, start, std::min(n, start + recipe.batch_size));
      optimiser->zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model.forward(images.index_select(0, batch)),
                                                       labels.index_select(0, batch));
      loss.backward();
      optimiser->step();
      loss_sum += loss.detach() * batch.size(0);
      ++summary.steps;
    }
    // One host sync per epoch, not per step.
    summary.final_loss = loss_sum.item<double>() / static_cast<double>(n);
    if (!std::isfinite(summary.final_loss)) {
      throw std::runtime_error(fmt::format(
          "training diverged: the loss is {} in epoch {} (step {}); lower the learning rate "
          "(train.lr(...)) or check the data for NaN",
          summary.final_loss, epoch + 1, summary.steps));
    }
  }
  return summary;
}

evaluation evaluate(classifier& model, const labelled_images& split, std::int64_t num_classes,
                    std::int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  const std::int64_t n = split.size();
  auto predicted = torch::empty({n}, split.labels.options());
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const auto end = std::min(n, start + batch_size);
    predicted.slice(0, start, end) = model.forward(split.images.slice(0, start, end)).argmax(1);
  }
  const auto correct = predicted.eq(split.labels).to(torch::kCPU);
  const auto labels = split.labels.to(torch::kCPU);
  const auto per_class_total = torch::bincount(labels, {}, num_classes).to(torch::kDouble);
  const auto per_class_correct =
      torch::bincount(labels, correct.to(torch::kDouble), num_classes);
  const auto per_class = (per_class_correct / per_class_total.clamp_min(1)).contiguous();

  evaluation result;
  result.accuracy = correct.to(torch::kDouble).mean().item<double>();
  const auto* values = per_class.data_ptr<double>();
  result.per_class_accuracy.assign(values, values + num_classes);
  return result;
}

pool_outputs scoring_pass(classifier& model, const torch::Tensor& images,
                          const torch::Tensor& indices, needs_set needs,
                          std::int64_t batch_size) {
  pool_outputs out;
  const bool want_probs = needs.contains(need::probs);
  const bool want_embedding = needs.contains(need::embedding);
  if (!want_probs && !want_embedding) return out;  // e.g. random: no pass at all

  torch::NoGradGuard no_grad;
  model.eval();
  const auto on_device = indices.to(images.device());
  const std::int64_t n = on_device.size(0);
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const auto end = std::min(n, start + batch_size);
    const auto embedding = model.embed(images.index_select(0, on_device.slice(0, start, end)));
    if (want_embedding) {
      if (!out.embedding.defined()) out.embedding = torch::empty({n, embedding.size(1)}, embedding.options());
      out.embedding.slice(0, start, end) = embedding;
    }
    if (want_probs) {
      const auto probs = torch::softmax(model.head(embedding), 1);
      if (!out.probs.defined()) out.probs = torch::empty({n, probs.size(1)}, probs.options());
      out.probs.slice(0, start, end) = probs;
    }
  }
  return out;
}

}  // namespace al::engine
