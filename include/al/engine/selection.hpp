#pragma once
// Engine-side selection: what the scoring pass produces, the scores of the
// per-sample strategies (each defined in src/strategy/<word>.cpp), top-k, and
// the registry that maps a strategy's name in the plan to the code that
// scores it. Opt-in header (LibTorch): include it to define your own
// strategy.

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
  /// [U, d'] the pretrained encoder's embedding (the current model's when
  /// the plan does not pretrain), when need::encoder_embedding.
  torch::Tensor encoder_embedding;
  /// [U] BALD's H[mean_t p_t] - mean_t H[p_t], when need::mc_dropout. The
  /// pass reduces each block's T samples at once, so memory stays
  /// O(block·T·K) instead of holding [U, T, K].
  torch::Tensor mutual_information;
  /// [U] the rotation pretext loss and [U] int64 the PT4AL batch of each
  /// candidate (see pt4al_batches), when need::pretext_loss. They come from
  /// pretraining, not from the pass; the run looks them up per candidate.
  torch::Tensor pretext_loss;
  torch::Tensor pretext_batch;
  /// The linear head, logits = h·Wᵀ + b: [K, d] and [K], when
  /// need::head_weights. Shared by every candidate, so never indexed by row.
  torch::Tensor head_weight;
  torch::Tensor head_bias;
  /// [U, 2, K] softmaxes of MCDAL's two auxiliary heads, when need::aux_heads.
  torch::Tensor aux_probs;
  /// [U, K] softmax of the previous cycle's model, when need::previous_outputs
  /// and there is one: undefined before the second training (TOD's first
  /// query, which is then random).
  torch::Tensor previous_probs;
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

/// MCDAL's discrepancy from the head's softmax p0 [U, K] and the auxiliary
/// heads' [U, 2, K]: ||p1 − p2||₁ + ||p0 − p1||₁ + ||p0 − p2||₁.
torch::Tensor mcdal_scores(const torch::Tensor& probs, const torch::Tensor& aux_probs);

/// TOD's temporal output discrepancy, 0.5·||p − p_prev||² per row, from the
/// current and the previous cycle's softmaxes [U, K].
torch::Tensor tod_scores(const torch::Tensor& probs, const torch::Tensor& previous_probs);

/// Distances to the decision boundaries of the linear head (BASE, Emam et al.
/// 2021), [U, K]: with ŷ = argmax of h·Wᵀ + b,
///   D[i, c] = |(w_ŷ − w_c)·h_i + (b_ŷ − b_c)| / ||w_ŷ − w_c||   for c ≠ ŷ,
/// and D[i, ŷ] = min_{c≠ŷ} D[i, c], the distance to the nearest boundary of
/// its own class. So column c is what BASE ranks class c by. Float64, [U, K]
/// for the result and O(block·K) besides: a GEMM for the logits of a block
/// of rows at a time, a [K, K] table of ||w_a − w_b||.
torch::Tensor boundary_distances(const torch::Tensor& embedding, const torch::Tensor& weight,
                                 const torch::Tensor& bias);

/// The `boundary` scorer: −min_{c≠ŷ} D[i, c]; closest to a boundary first.
/// Block by block: [U] and O(block·K) memory, never the whole D.
torch::Tensor boundary_scores(const torch::Tensor& embedding, const torch::Tensor& weight,
                              const torch::Tensor& bias);

/// Positions of the `k` largest scores, largest first; ties go to the lower
/// position so that selection is deterministic. `k` larger than the number
/// of scores is an error.
torch::Tensor top_k(const torch::Tensor& scores, std::int64_t k);

/// A strategy's engine side: scores for every candidate, shape [U].
using scorer_function =
    std::function<torch::Tensor(const pool_outputs&, const selection_context&)>;

/// A scorer's ranking of the candidates for each class, shape [U, K]: column
/// c is how strongly candidate i belongs to class c's share of a balanced
/// query, larger first. `balanced(s)` uses it when s has one (BASE's
/// distances to each class's boundary); otherwise it ranks by s within the
/// predicted class.
using class_scorer_function =
    std::function<torch::Tensor(const pool_outputs&, const selection_context&)>;

/// Registers the engine side of a per-sample scorer under the name its DSL
/// word declares, with its per-class ranking when it has one. Built-in words
/// are registered the same way (src/strategy/<word>.cpp); registering a name
/// twice replaces it.
void register_scorer(std::string name, scorer_function score,
                     class_scorer_function class_scores = {});

/// A copy of the per-class ranking registered with the scorer `name`, or an
/// empty function when it has none.
class_scorer_function find_class_scorer(std::string_view name);

/// A copy of the scorer registered under `name`, so that it stays callable
/// while other threads register or unregister scorers; an unknown name is
/// an error listing the registered ones.
scorer_function find_scorer(std::string_view name);

/// Removes the scorer registered under `name`; false when there was none.
/// A built-in is removed like any other, so unregister only what you
/// registered (a test's scorer, a plugin being unloaded).
bool unregister_scorer(std::string_view name);

/// Names of every registered scorer, sorted.
std::vector<std::string> registered_scorers();

}  // namespace al::engine
