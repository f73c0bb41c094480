#pragma once
// Engine-side selection: what the scoring pass produces, the scores of the
// per-sample strategies, top-k, and the registry that maps a strategy's name
// in the plan to the code that scores it. Opt-in header (LibTorch): include
// it to define your own strategy.

#include <al/requirements.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace al::engine {

/// Outputs of one scoring pass over the candidates; row i belongs to
/// candidate i. Only what the plan asked for is defined.
struct pool_outputs {
  torch::Tensor probs;      // [U, K] softmax, when need::probs
  torch::Tensor embedding;  // [U, d], when need::embedding
  /// [U] BALD's H[mean_t p_t] - mean_t H[p_t], when need::mc_dropout. The
  /// pass reduces each block's T samples at once, so memory stays
  /// O(block·T·K) instead of holding [U, T, K].
  torch::Tensor mutual_information;
  /// [U] the rotation pretext loss and [U] int64 the PT4AL batch of each
  /// candidate (see pt4al_batches), when need::pretext_loss. They come from
  /// pretraining, not from the pass; the run looks them up per candidate.
  torch::Tensor pretext_loss;
  torch::Tensor pretext_batch;
};

/// What a scorer may use besides the model outputs.
struct selection_context {
  std::int64_t candidates = 0;  // number of rows to score
  std::uint64_t seed = 0;       // stream for this selection (random scorers)
  int cycle = 0;
};

/// Per-sample scores; larger is picked first.
torch::Tensor random_scores(std::int64_t count, std::uint64_t seed);
torch::Tensor least_confidence_scores(const torch::Tensor& probs);
torch::Tensor margin_scores(const torch::Tensor& probs);
torch::Tensor entropy_scores(const torch::Tensor& probs);
/// BALD from T stochastic softmaxes per sample, [U, T, K] → [U]:
/// H[mean_t p_t] - mean_t H[p_t], with 0·log 0 = 0.
torch::Tensor bald_scores(const torch::Tensor& mc_probs);

/// Positions of the `k` largest scores, largest first; ties go to the lower
/// position so that selection is deterministic. `k` larger than the number
/// of scores is an error.
torch::Tensor top_k(const torch::Tensor& scores, std::int64_t k);

/// A strategy's engine side: scores for every candidate, shape [U].
using scorer_function =
    std::function<torch::Tensor(const pool_outputs&, const selection_context&)>;

/// Registers the engine side of a per-sample scorer under the name its DSL
/// word declares. Built-in words are registered already; registering a name
/// twice replaces it.
void register_scorer(std::string name, scorer_function score);

/// The scorer registered under `name`; an unknown name is an error listing
/// the registered ones.
const scorer_function& find_scorer(std::string_view name);

/// Names of every registered scorer, sorted.
std::vector<std::string> registered_scorers();

}  // namespace al::engine
