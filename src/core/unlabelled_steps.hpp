#pragma once
// The parts of a training step that use an unlabelled batch: MCDAL's
// auxiliary-head updates and COD's consistency terms. Called by
// train_classifier (training.cpp) once per step.

#include <al/engine/training.hpp>

#include <torch/torch.h>

namespace al::engine::detail {

/// MCDAL's steps B and C on the auxiliary heads only, after the model's own
/// step A. `labelled_embedding` is h(x) of the labelled batch, detached;
/// `unlabelled` a batch of unlabelled images. The encoder and the model's
/// head are only read.
void mcdal_update(classifier& model, auxiliary_heads& heads, torch::optim::Optimizer& optimiser,
                  const torch::Tensor& labelled_embedding, const torch::Tensor& labels,
                  const torch::Tensor& unlabelled);

/// COD's consistency terms, w·[MSE(f, g) + MSE(g, f_ema)] over the labelled
/// and the unlabelled batch, on logits. The embeddings h and logits f of both
/// batches are the step's own, with their graphs.
torch::Tensor consistency_loss(consistency_training& state, const torch::Tensor& labelled_images,
                               const torch::Tensor& labelled_embedding,
                               const torch::Tensor& labelled_logits,
                               const torch::Tensor& unlabelled_images,
                               const torch::Tensor& unlabelled_embedding,
                               const torch::Tensor& unlabelled_logits, double weight);

}  // namespace al::engine::detail
