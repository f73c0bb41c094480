#pragma once
// Engine-side training, evaluation and the scoring pass. Opt-in header
// (LibTorch).

#include <al/engine/dataset.hpp>
#include <al/engine/devices.hpp>
#include <al/engine/model.hpp>
#include <al/engine/selection.hpp>
#include <al/engine/threads.hpp>
#include <al/plan.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace al::engine {

struct training_summary {
  std::int64_t steps = 0;
  std::int64_t epochs = 0;
  double final_loss = 0;  // mean loss of the last epoch
  double last_learning_rate = 0;  // the rate of the last optimiser step
};

/// The learning rate of optimiser step `step` (0-based) of a training of
/// `total_steps` steps under `recipe.schedule` (see al::lr_schedule): cosine
/// gives recipe.learning_rate at step 0 and 0 at the last step; step gives
/// lr, lr/10 from step ⌈total/2⌉ and lr/100 from ⌈3·total/4⌉; constant gives
/// lr throughout. A step outside [0, total_steps) is std::out_of_range.
double scheduled_learning_rate(const train_recipe& recipe, std::int64_t step,
                               std::int64_t total_steps);

/// MCDAL's auxiliary heads C1 and C2 (Cho et al.): two linear maps from the
/// embedding to the logits, beside the model's own head, trained on the
/// detached embedding so they never move the encoder.
struct auxiliary_heads : torch::nn::Module {
  auxiliary_heads(std::int64_t embedding_width, std::int64_t num_classes);
  /// [B, 2, K]: both heads' softmaxes of the embeddings [B, d].
  torch::Tensor probs(const torch::Tensor& embedding);

  torch::nn::Linear first{nullptr}, second{nullptr};
};

/// TOD's semi-supervised training (COD, Huang et al. 2021): a consistency
/// head g beside the model's head f, and an EMA teacher of the model.
struct consistency_training {
  torch::nn::Linear head{nullptr};      // g: embedding → logits
  std::shared_ptr<classifier> teacher;  // f_ema: the same architecture as the model
  std::int64_t steps = 0;               // teacher updates so far: t of ema_decay(t)
};

/// α_t = min(1 − 1/(t + 1), 0.999): the teacher first copies the student,
/// then averages over ever longer windows.
double ema_decay(std::int64_t step);

/// teacher ← α·teacher + (1 − α)·student for every parameter; buffers (batch
/// norm statistics) are copied. The two must have the same architecture.
void ema_update(classifier& teacher, classifier& student, double alpha);

/// What the recipes that learn from unlabelled batches too (MCDAL, COD) need
/// beside the labelled set. Each step draws one unlabelled batch of the
/// recipe's batch size, uniformly with replacement, from `images[rows]`.
struct unlabelled_batches {
  torch::Tensor images;  // [N, C, H, W] the pool, on the model's device
  torch::Tensor rows;    // [U] int64: the unlabelled pool rows
  auxiliary_heads* heads = nullptr;              // recipe.auxiliary_heads
  consistency_training* consistency = nullptr;   // recipe.consistency_weight > 0
};

/// Trains `model` on `images`/`labels` (already on `device`) with `recipe`;
/// data order comes from `seed`; the learning rate follows `recipe.schedule`
/// over all the training's steps (MCDAL's heads too). With `recipe.linear_probe` only the head
/// learns, on the embeddings of the encoder as it is (eval mode). With
/// `recipe.probe_first` (LP-FT) that linear probe runs first, on the labelled
/// set alone, and then the whole recipe from the fitted head; the summary
/// counts the steps of both. With `recipe.auxiliary_heads` (MCDAL) every
/// step is followed by two updates of `unlabelled.heads`: (B) cross-entropy
/// on the labelled batch's detached embedding, (C) cross-entropy minus the
/// three heads' discrepancy on the unlabelled batch. With `recipe.consistency_weight` w > 0 (COD) the loss is
/// CE(f(x), y) + w·[MSE(f, g) + MSE(g, f_ema)] over the labelled and the
/// unlabelled batch, on logits, and the teacher follows the model after each
/// step. A recipe that needs what `unlabelled` lacks, or a non-finite loss,
/// is an error that says what to change. `on_epoch(e, n)` is told when
/// epoch e of n ends (progress display).
training_summary train_classifier(classifier& model, const torch::Tensor& images,
                                  const torch::Tensor& labels, const train_recipe& recipe,
                                  std::uint64_t seed, const unlabelled_batches& unlabelled = {},
                                  const std::function<void(std::int64_t epoch, std::int64_t epochs)>&
                                      on_epoch = {});

struct evaluation {
  double accuracy = 0;
  std::vector<double> per_class_accuracy;
  double balanced_accuracy = 0;
};

/// Mean recall over the classes present in `labels`: Σ_c (correct in c / in c)
/// over those classes, divided by their number. `predictions`, `labels` [N].
double balanced_accuracy(const torch::Tensor& predictions, const torch::Tensor& labels,
                         std::int64_t num_classes);

/// Accuracy and per-class accuracy on a labelled split (on `model`'s device).
evaluation evaluate(classifier& model, const labelled_images& split, std::int64_t num_classes,
                    std::int64_t batch_size = 256);

/// Samples per block of the scoring pass: large enough to keep the cores
/// busy, small enough that T MC-dropout passes of a block stay small.
inline constexpr std::int64_t default_scoring_batch = 256;

/// The block of the scoring pass and of evaluation on a GPU: a block of 256
/// leaves most of a GPU idle, and its memory holds far more (4 096 images'
/// 20 MC-dropout passes of a 512-wide head take 160 MiB). The CPU keeps 256,
/// and with it the scores every earlier CPU run computed.
inline constexpr std::int64_t gpu_scoring_batch = 4096;

/// The scoring and evaluation block for `device`.
inline std::int64_t scoring_batch_for(const torch::Device& device) {
  return device.is_cuda() ? gpu_scoring_batch : default_scoring_batch;
}

/// Stochastic passes of an MC-dropout strategy when its word does not say
/// (resolved in the plan: al::mc_passes_of).
inline constexpr std::int64_t default_mc_passes = al::default_mc_passes;

/// One batched no-grad pass over `images[indices]` that fills exactly the
/// outputs in `needs` (nothing at all when it is empty).
///
/// need::mc_dropout adds `mc_passes` stochastic passes per block of
/// `batch_size` samples, reduced at once to BALD's mutual information:
/// dropout modules in training mode, everything else (batch norm) in eval
/// mode. When `model.stochastic_encoder()` is false the encoder runs once and
/// only the head is sampled; otherwise every pass runs the whole model. The
/// head-dropout masks come from `mc_seed` alone, so the scores are the same
/// for the same seed (dropout modules of a user's model draw from Torch's
/// global generator). A model without any dropout, or fewer than 2 passes,
/// is an error: every pass would agree and every score be 0.
///
/// need::aux_heads fills `aux_probs` from `heads`, which must then be given.
pool_outputs scoring_pass(classifier& model, const torch::Tensor& images,
                          const torch::Tensor& indices, needs_set needs,
                          std::int64_t batch_size = default_scoring_batch,
                          std::int64_t mc_passes = default_mc_passes, std::uint64_t mc_seed = 0,
                          auxiliary_heads* heads = nullptr);

}  // namespace al::engine
