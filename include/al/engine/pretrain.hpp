#pragma once
// Self-supervised pretraining of a classifier's encoder on unlabelled images:
// SimSiam (Chen & He 2021) and rotation prediction (Gidaris et al. 2018, the
// pretext of PT4AL). Opt-in engine header (LibTorch).
//
// Both train `classifier::embed` only; the head keeps its initial weights.
// Augmentations are batched tensor ops on the images' device: one kernel
// sequence per batch, never a per-image loop on the host.

#include <al/engine/model.hpp>
#include <al/plan.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <functional>

namespace al::engine {

/// SimSiam's augmentations (the CIFAR recipe of the paper, on tensors),
/// with one change measured in docs/self-supervised.md: crops keep at least
/// half the image (the paper: a fifth). On 28×28 Fashion-MNIST the milder
/// crop gave a linear probe of 66.1% against 59.0% after the same pretraining.
struct augmentation {
  double min_crop_scale = 0.5;  // random resized crop: area fraction in [min, 1]
  double max_aspect = 4.0 / 3;  // and aspect ratio in [1/max, max]
  bool flip = true;             // horizontal flip with probability 1/2
  double jitter_probability = 0.8;
  double brightness = 0.4;  // factors drawn from [1 - x, 1 + x]
  double contrast = 0.4;
  double saturation = 0.4;  // colour images only
  double hue = 0.1;         // colour images only: a rotation of up to x turns
  double grayscale_probability = 0.2;  // colour images only
};

/// One random view of every image of a batch. `pixels` is float [B, C, H, W]
/// with values in [0, 1]; the result has the same shape and range. Each
/// image gets its own crop, flip and jitter, drawn from `generator` (a CPU
/// generator: the same seed gives the same views on any device).
torch::Tensor augment(const torch::Tensor& pixels, const augmentation& options,
                      at::Generator& generator);

/// SimSiam's symmetric loss, ½D(p1, z2) + ½D(p2, z1) with
/// D(p, z) = −cos(p, stopgrad(z)), averaged over the batch: −1 when every
/// prediction points where the other view's projection does. No gradient
/// flows into z1 or z2.
torch::Tensor simsiam_loss(const torch::Tensor& p1, const torch::Tensor& p2,
                           const torch::Tensor& z1, const torch::Tensor& z2);

/// `images` [B, C, H, W] turned by `quarter_turns` × 90° (any integer; 4 is
/// the identity). Needs square images.
torch::Tensor rotate(const torch::Tensor& images, std::int64_t quarter_turns);

/// Per-channel normalisation of the images pretraining sees (the data set's
/// `channel_mean` and `channel_std`), so augmentations can work on pixels.
struct pixel_normalisation {
  torch::Tensor mean;  // [1, C, 1, 1]
  torch::Tensor std;   // [1, C, 1, 1]
};

struct pretraining_summary {
  std::int64_t steps = 0;
  double final_loss = 0;  // mean loss of the last epoch
  /// Rotation only: each image's pretext loss, the mean cross-entropy of the
  /// rotation head over its 4 rotations after training, [N] on the CPU.
  torch::Tensor pretext_loss;
};

/// Pretrains `model`'s encoder on `images` (normalised, on the model's
/// device) by `recipe`, without labels: SGD with momentum 0.9, learning rate
/// `recipe.learning_rate · batch_size / 256` on a cosine schedule, batches in
/// an order drawn from `seed`. The projector, predictor or rotation head are
/// built under `seed` and dropped afterwards. Images that are not at least
/// 8×8 (e.g. feature vectors) are an error that says so.
/// `on_epoch(epoch, mean_loss)`, when given, is called after every epoch.
pretraining_summary pretrain_encoder(
    classifier& model, const torch::Tensor& images, const pixel_normalisation& normalisation,
    const pretrain_recipe& recipe, std::uint64_t seed,
    const std::function<void(std::int64_t, double)>& on_epoch = {});

/// PT4AL's batches: sorts `pretext_loss` [N] descending (by value; the
/// official code sorted its text) and cuts the order into `rounds`
/// consecutive batches whose sizes differ by at most one. Returns each
/// sample's batch, [N] int64: batch 0 holds the hardest samples.
torch::Tensor pt4al_batches(const torch::Tensor& pretext_loss, int rounds);

}  // namespace al::engine
