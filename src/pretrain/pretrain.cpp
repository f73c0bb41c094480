// pretrain_encoder: checks, the shared optimisation loop, and the dispatch to
// the pretext.

#include "pretext_loop.hpp"
#include "../core/distributed.hpp"

#include <fmt/format.h>

#include <al/engine/devices.hpp>

#include <cmath>
#include <numbers>
#include <optional>
#include <stdexcept>

namespace al::engine {

pretraining_summary pretrain_simsiam(classifier& model, const torch::Tensor& images,
                                     const pixel_normalisation& normalisation,
                                     const pretrain_recipe& recipe, std::uint64_t seed,
                                     const std::function<void(std::int64_t, double)>& on_epoch);
pretraining_summary pretrain_rotation(classifier& model, const torch::Tensor& images,
                                      const pretrain_recipe& recipe, std::uint64_t seed,
                                      const std::function<void(std::int64_t, double)>& on_epoch);

namespace detail {

pretraining_summary run_pretext_epochs(const pretext_parameters& parameters, std::int64_t count,
                                       const torch::Device& device, const pretrain_recipe& recipe,
                                       std::uint64_t seed, const pretext_step& step,
                                       const std::function<void(std::int64_t, double)>& on_epoch) {
  const auto batch_size = std::min(recipe.batch_size, count);
  const std::int64_t steps_per_epoch = count / batch_size;
  auto* ranks = distributed::current();
  const auto [first, last] = ranks ? distributed::slice_of_batch(batch_size, ranks->rank(), ranks->size())
                                   : std::pair<std::int64_t, std::int64_t>{0, batch_size};
  if (ranks && batch_size / ranks->size() < 2) {
    // Batch norm needs two rows in every rank's slice (checked from the
    // smallest slice, so that every rank stops together).
    throw std::invalid_argument(fmt::format(
        "a pretraining batch of {} split over {} ranks gives a rank only {} of its images; batch "
        "norm needs at least 2 on every rank: raise pretrain(...).batch_size to {} or more, or "
        "use fewer ranks",
        batch_size, ranks->size(), batch_size / ranks->size(), 2 * ranks->size()));
  }
  // Data-parallel: the gradients are summed over the ranks while backward runs.
  std::optional<distributed::gradient_buckets> summed_gradients;
  if (ranks) {
    std::vector<torch::Tensor> trained = parameters.scheduled;
    trained.insert(trained.end(), parameters.fixed.begin(), parameters.fixed.end());
    summed_gradients.emplace(*ranks, trained);
  }
  const std::int64_t total_steps = steps_per_epoch * recipe.epochs;
  // The linear scaling rule of the SimSiam paper: lr · B / 256.
  const double base_rate = recipe.learning_rate * static_cast<double>(batch_size) / 256.0;

  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(parameters.scheduled);
  if (!parameters.fixed.empty()) groups.emplace_back(parameters.fixed);
  torch::optim::SGD optimiser(
      groups, torch::optim::SGDOptions(base_rate).momentum(0.9).weight_decay(recipe.weight_decay));

  auto generator = seeded_generator(device, seed);
  pretraining_summary summary;
  for (std::int64_t epoch = 0; epoch < recipe.epochs; ++epoch) {
    const auto order = torch::randperm(count, generator, torch::TensorOptions(torch::kLong).device(device));
    auto loss_sum = torch::zeros({}, torch::TensorOptions().device(device));
    for (std::int64_t b = 0; b < steps_per_epoch; ++b) {
      const double progress = static_cast<double>(summary.steps) / static_cast<double>(total_steps);
      const double rate = base_rate * 0.5 * (1 + std::cos(std::numbers::pi * progress));
      static_cast<torch::optim::SGDOptions&>(optimiser.param_groups()[0].options()).lr(rate);
      optimiser.zero_grad();
      auto loss = step(order.slice(0, b * batch_size, (b + 1) * batch_size), first, last);
      if (ranks) {
        // Weighted by the slice's share, the summed gradients are the batch's.
        loss = loss * (static_cast<double>(last - first) / static_cast<double>(batch_size));
      }
      loss.backward();
      if (summed_gradients) summed_gradients->finish();
      optimiser.step();
      loss_sum += loss.detach();
      ++summary.steps;
    }
    if (ranks) {
      std::vector<torch::Tensor> total{loss_sum};
      ranks->sum(total);
    }
    summary.final_loss = loss_sum.item<double>() / static_cast<double>(steps_per_epoch);
    if (!std::isfinite(summary.final_loss)) {
      throw std::runtime_error(fmt::format(
          "pretraining diverged: the loss is {} in epoch {}; lower the learning rate "
          "(pretrain(...).lr(...))",
          summary.final_loss, epoch + 1));
    }
    if (on_epoch) on_epoch(epoch + 1, summary.final_loss);
  }
  return summary;
}

std::int64_t embedding_width(classifier& model, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  model.eval();
  const auto width = model.embed(images.slice(0, 0, 1)).size(1);
  model.train();
  return width;
}

}  // namespace detail

pretraining_summary pretrain_encoder(classifier& model, const torch::Tensor& images,
                                     const pixel_normalisation& normalisation,
                                     const pretrain_recipe& recipe, std::uint64_t seed,
                                     const std::function<void(std::int64_t, double)>& on_epoch) {
  if (recipe.epochs < 1 || recipe.batch_size < 2 || !(recipe.learning_rate > 0)) {
    throw std::invalid_argument(fmt::format(
        "pretrain recipe needs epochs >= 1, batch_size >= 2 and lr > 0 (got epochs={}, "
        "batch_size={}, lr={})",
        recipe.epochs, recipe.batch_size, recipe.learning_rate));
  }
  if (images.dim() != 4 || images.size(2) < 8 || images.size(3) < 8) {
    throw std::invalid_argument(fmt::format(
        "pretrain({}) needs images of at least 8x8 pixels, but this data set's samples are {}; "
        "pretrain on image data (fashion-mnist, mnist, cifar10) or drop the pretrain stage",
        to_string(recipe.pretext), fmt::join(images.sizes().slice(1), "x")));
  }
  if (images.size(0) < 2) {
    throw std::invalid_argument("pretraining needs at least 2 pool images");
  }
  auto summary = recipe.pretext == pretext::simsiam
                     ? pretrain_simsiam(model, images, normalisation, recipe, seed, on_epoch)
                     : pretrain_rotation(model, images, recipe, seed, on_epoch);
  if (auto* ranks = distributed::current()) {
    distributed::average_buffers(*ranks, model);
    ranks->check_same(distributed::hash_of(model.parameters()),
                      "the encoder's weights after pretraining");
  }
  return summary;
}

}  // namespace al::engine
