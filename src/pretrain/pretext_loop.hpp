#pragma once
// The optimisation loop both pretexts share: SGD with momentum, a cosine
// learning-rate schedule, seeded batch order, one host sync per epoch.

#include <al/engine/pretrain.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace al::engine::detail {

/// The mean loss over rows [first, last) of a batch, given the whole batch's
/// indices into the images: in a data-parallel run each rank computes its
/// slice (any random draws still made for the whole batch, so that they are
/// those of one process); in one process, the whole batch.
using pretext_step = std::function<torch::Tensor(const torch::Tensor& batch, std::int64_t first,
                                                 std::int64_t last)>;

/// Parameters by schedule: `scheduled` follow the cosine decay; `fixed` keep
/// the base rate (SimSiam's predictor, as in the paper).
struct pretext_parameters {
  std::vector<torch::Tensor> scheduled;
  std::vector<torch::Tensor> fixed;
};

/// `recipe.epochs` passes over `count` samples in batches of
/// `recipe.batch_size` (the last, smaller batch is dropped so batch norm
/// never sees a batch of one), in an order drawn from `seed`. Data-parallel
/// (distributed::current()), each rank's slice of every batch, the
/// gradients summed over the ranks.
pretraining_summary run_pretext_epochs(const pretext_parameters& parameters, std::int64_t count,
                                       const torch::Device& device, const pretrain_recipe& recipe,
                                       std::uint64_t seed, const pretext_step& step,
                                       const std::function<void(std::int64_t, double)>& on_epoch);

/// The encoder's output width, from one forward pass of a single image in
/// eval mode.
std::int64_t embedding_width(classifier& model, const torch::Tensor& images);

}  // namespace al::engine::detail
