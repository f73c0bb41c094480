// SimSiam (Chen & He 2021): two augmented views of each image, a projector
// and a predictor on top of the encoder, and the symmetric negative cosine
// with a stop-gradient on the projection — no negatives, no momentum encoder.

#include "../core/seeded_construction.hpp"
#include "pretext_loop.hpp"

#include <al/engine/devices.hpp>

namespace al::engine {
namespace {

namespace nn = torch::nn;

/// Projector (2 layers with batch norm, the paper's CIFAR recipe) and
/// predictor (a bottleneck MLP, batch norm and ReLU on its hidden layer only).
struct simsiam_heads : nn::Module {
  nn::Sequential projector{nullptr};
  nn::Sequential predictor{nullptr};

  simsiam_heads(std::int64_t embedding, std::int64_t width, std::int64_t bottleneck) {
    projector = register_module(
        "projector", nn::Sequential(nn::Linear(nn::LinearOptions(embedding, width).bias(false)),
                                    nn::BatchNorm1d(width), nn::ReLU(),
                                    nn::Linear(nn::LinearOptions(width, width).bias(false)),
                                    nn::BatchNorm1d(width)));
    predictor = register_module(
        "predictor", nn::Sequential(nn::Linear(nn::LinearOptions(width, bottleneck).bias(false)),
                                    nn::BatchNorm1d(bottleneck), nn::ReLU(),
                                    nn::Linear(bottleneck, width)));
  }
};

}  // namespace

torch::Tensor simsiam_loss(const torch::Tensor& p1, const torch::Tensor& p2,
                           const torch::Tensor& z1, const torch::Tensor& z2) {
  namespace F = torch::nn::functional;
  auto negative_cosine = [](const torch::Tensor& p, const torch::Tensor& z) {
    return -F::cosine_similarity(p, z.detach(), F::CosineSimilarityFuncOptions().dim(1)).mean();
  };
  return 0.5 * negative_cosine(p1, z2) + 0.5 * negative_cosine(p2, z1);
}

pretraining_summary pretrain_simsiam(classifier& model, const torch::Tensor& images,
                                     const pixel_normalisation& normalisation,
                                     const pretrain_recipe& recipe, std::uint64_t seed,
                                     const std::function<void(std::int64_t, double)>& on_epoch) {
  const auto device = images.device();
  auto heads = construct_seeded(derive_seed(seed, "simsiam heads"), [&] {
    return std::make_shared<simsiam_heads>(detail::embedding_width(model, images),
                                           recipe.projector_width, recipe.predictor_width);
  });
  heads->to(device);
  model.train();
  heads->train();

  const auto mean = normalisation.mean.to(device);
  const auto std = normalisation.std.to(device);
  const augmentation options;
  auto views = seeded_generator(device, derive_seed(seed, "simsiam views"));

  detail::pretext_parameters parameters;
  parameters.scheduled = model.parameters();
  for (const auto& p : heads->projector->parameters()) parameters.scheduled.push_back(p);
  parameters.fixed = heads->predictor->parameters();

  // Both views go through the networks as one batch: twice the rows per
  // kernel call, and batch norm sees both views, as with a shared encoder.
  // Data-parallel, every rank augments the whole batch (the views' draws
  // are one process's) and trains on its slice of both views.
  const auto step = [&](const torch::Tensor& batch, std::int64_t first, std::int64_t last) {
    const auto pixels = images.index_select(0, batch) * std + mean;
    const auto view = [&] { return augment(pixels, options, views).slice(0, first, last); };
    const auto one = view();
    const auto two = view();
    const auto both = torch::cat({one, two}).sub_(mean).div_(std);
    const auto z = heads->projector->forward(model.embed(both));
    const auto p = heads->predictor->forward(z);
    const auto n = last - first;
    return simsiam_loss(p.slice(0, 0, n), p.slice(0, n), z.slice(0, 0, n), z.slice(0, n));
  };
  return detail::run_pretext_epochs(parameters, images.size(0), device, recipe,
                                    derive_seed(seed, "simsiam order"), step, on_epoch);
}

}  // namespace al::engine
