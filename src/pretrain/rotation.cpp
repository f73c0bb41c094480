// Rotation prediction (Gidaris et al. 2018), PT4AL's pretext: a 4-way head
// on the encoder learns which of 0°, 90°, 180°, 270° an image was turned by.
// After training, each image's loss over its 4 rotations says how hard it is
// for the encoder — the order PT4AL labels the pool in.

#include "../core/distributed.hpp"
#include "../core/seeded_construction.hpp"
#include "pretext_loop.hpp"

#include <fmt/format.h>

namespace al::engine {
namespace {

constexpr std::int64_t rotations = 4;

/// The 4 rotations of a batch, stacked rotation-major: rows [k·B, (k+1)·B)
/// are turned k quarter turns. Labels follow the same order.
torch::Tensor all_rotations(const torch::Tensor& images) {
  std::vector<torch::Tensor> turned;
  for (std::int64_t k = 0; k < rotations; ++k) turned.push_back(rotate(images, k));
  return torch::cat(turned);
}

torch::Tensor rotation_labels(std::int64_t batch, const torch::Device& device) {
  return torch::arange(rotations, torch::TensorOptions().dtype(torch::kLong).device(device))
      .repeat_interleave(batch);
}

/// Mean cross-entropy over the 4 rotations of every image, [N] on the CPU.
torch::Tensor per_sample_loss(classifier& model, torch::nn::Linear& head,
                              const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  model.eval();
  head->eval();
  constexpr std::int64_t block = 256;
  const auto n = images.size(0);
  // Data-parallel: each rank its blocks, then gathered in order.
  auto* ranks = distributed::current();
  const bool shared = ranks != nullptr && (n + block - 1) / block >= ranks->size();
  const auto [first, last] = shared ? distributed::blocks_of_rank(n, block, ranks->rank(), ranks->size())
                                    : std::pair<std::int64_t, std::int64_t>{0, n};
  auto loss = torch::empty({last - first}, torch::kFloat32);
  for (std::int64_t start = first; start < last; start += block) {
    const auto batch = images.slice(0, start, std::min(last, start + block));
    const auto b = batch.size(0);
    const auto logits = head->forward(model.embed(all_rotations(batch)));
    const auto each = torch::nn::functional::cross_entropy(
        logits, rotation_labels(b, images.device()),
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    loss.slice(0, start - first, start - first + b) = each.view({rotations, b}).mean(0).to(torch::kCPU);
  }
  model.train();
  return shared ? ranks->gather_rows(loss) : loss;
}

}  // namespace

pretraining_summary pretrain_rotation(classifier& model, const torch::Tensor& images,
                                      const pretrain_recipe& recipe, std::uint64_t seed,
                                      const std::function<void(std::int64_t, double)>& on_epoch) {
  if (images.size(2) != images.size(3)) {
    throw std::invalid_argument(fmt::format(
        "pretrain(rotation) needs square images, but they are {}x{}; use pretrain(simsiam)",
        images.size(2), images.size(3)));
  }
  const auto device = images.device();
  auto head = construct_seeded(derive_seed(seed, "rotation head"), [&] {
    return torch::nn::Linear(detail::embedding_width(model, images), rotations);
  });
  head->to(device);
  model.train();
  head->train();

  detail::pretext_parameters parameters;
  parameters.scheduled = model.parameters();
  for (const auto& p : head->parameters()) parameters.scheduled.push_back(p);

  const auto step = [&](const torch::Tensor& batch, std::int64_t first, std::int64_t last) {
    const auto turned = all_rotations(images.index_select(0, batch.slice(0, first, last)));
    return torch::nn::functional::cross_entropy(head->forward(model.embed(turned)),
                                                rotation_labels(last - first, device));
  };
  auto summary = detail::run_pretext_epochs(parameters, images.size(0), device, recipe,
                                            derive_seed(seed, "rotation order"), step, on_epoch);
  summary.pretext_loss = per_sample_loss(model, head, images);
  return summary;
}

}  // namespace al::engine
