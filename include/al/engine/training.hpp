#pragma once
// Engine-side training, evaluation and the scoring pass. Opt-in header
// (LibTorch).

#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/selection.hpp>
#include <al/plan.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace al::engine {

/// `cpu`, `cuda` or `auto` (CUDA when available). Asking for `cuda` on a
/// machine without it is an error that says so.
torch::Device resolve_device(std::string_view name);

/// Sets Torch's intra-op threads: `threads`, or every core when 0.
/// (Debian's LibTorch starts with one thread.)
void set_torch_threads(int threads);

struct training_summary {
  std::int64_t steps = 0;
  std::int64_t epochs = 0;
  double final_loss = 0;  // mean loss of the last epoch
};

/// Trains `model` on `images`/`labels` (already on `device`) with `recipe`;
/// data order comes from `seed`. A non-finite loss stops with an error that
/// names the step and suggests a smaller learning rate.
training_summary train_classifier(classifier& model, const torch::Tensor& images,
                                  const torch::Tensor& labels, const train_recipe& recipe,
                                  std::uint64_t seed);

struct evaluation {
  double accuracy = 0;
  std::vector<double> per_class_accuracy;
};

/// Accuracy and per-class accuracy on a labelled split (on `model`'s device).
evaluation evaluate(classifier& model, const labelled_images& split, std::int64_t num_classes,
                    std::int64_t batch_size = 256);

/// One batched no-grad pass over `images[indices]` that fills exactly the
/// outputs in `needs` (nothing at all when it is empty).
pool_outputs scoring_pass(classifier& model, const torch::Tensor& images,
                          const torch::Tensor& indices, needs_set needs,
                          std::int64_t batch_size = 256);

}  // namespace al::engine
