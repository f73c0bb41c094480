// boundary: the distance to the nearest decision boundary of the linear head
// (BASE, Emam et al. 2021). Its per-class ranking, column c the distance to
// class c's boundary, is what balanced(boundary) — BASE itself — takes.

#include "../select/strategy_registry.hpp"

#include <al/strategy/boundary.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace al::engine {

namespace {

/// Rows of at most this many candidates at a time: the temporaries (logits,
/// gaps, the looked-up norms) stay O(block·K) however large the pool.
constexpr std::int64_t rows_per_block = 8192;

/// The head in float64 and its [K, K] table of ||w_a − w_b||, on the
/// embedding's device: on a GPU run the distances are computed there, and
/// only what the selection keeps comes to the host.
struct head_geometry {
  torch::Device device;
  torch::Tensor weight_t;  // [d, K]
  torch::Tensor bias;      // [K]
  torch::Tensor norms;     // [K, K]

  head_geometry(const torch::Tensor& weight, const torch::Tensor& bias_in, torch::Device on)
      : device(on), bias(bias_in.to(on, torch::kFloat64)) {
    const auto w = weight.to(on, torch::kFloat64);
    if (w.size(0) < 2) throw std::invalid_argument("boundary distances need at least 2 classes");
    weight_t = w.t();
    // Two classes with the same weights have no boundary between them in h;
    // the clamp makes that distance huge instead of 0/0.
    norms = torch::cdist(w.unsqueeze(0), w.unsqueeze(0)).squeeze(0).clamp_min(1e-12);
  }

  /// D for the rows of `embedding` [B, d], [B, K] float64.
  [[nodiscard]] torch::Tensor distances(const torch::Tensor& embedding) const {
    const auto h = embedding.to(device, torch::kFloat64);
    // (w_ŷ − w_c)·h + (b_ŷ − b_c) = z_ŷ − z_c with z the logits: one GEMM.
    const auto logits = torch::addmm(bias, h, weight_t);
    const auto [top, predicted] = logits.max(1);
    auto distances = (top.unsqueeze(1) - logits).div_(norms.index_select(0, predicted));
    // The own column: the nearest boundary of the predicted class.
    const auto own = predicted.unsqueeze(1);
    const auto nearest =
        std::get<0>(distances.scatter(1, own, std::numeric_limits<double>::infinity()).min(1));
    return distances.scatter_(1, own, nearest.unsqueeze(1));
  }
};

}  // namespace

torch::Tensor boundary_distances(const torch::Tensor& embedding, const torch::Tensor& weight,
                                 const torch::Tensor& bias) {
  const head_geometry head(weight, bias, embedding.device());
  const auto n = embedding.size(0);
  auto out = torch::empty({n, weight.size(0)},
                          torch::TensorOptions(torch::kFloat64).device(embedding.device()));
  for (std::int64_t start = 0; start < n; start += rows_per_block) {
    const auto end = std::min(n, start + rows_per_block);
    out.slice(0, start, end).copy_(head.distances(embedding.slice(0, start, end)));
  }
  return out;
}

torch::Tensor boundary_scores(const torch::Tensor& embedding, const torch::Tensor& weight,
                              const torch::Tensor& bias) {
  // The own column holds min_{c≠ŷ} d_c; it is also the row's smallest entry.
  // Block by block, so that no [U, K] matrix exists.
  const head_geometry head(weight, bias, embedding.device());
  const auto n = embedding.size(0);
  auto out = torch::empty({n}, torch::TensorOptions(torch::kFloat64).device(embedding.device()));
  for (std::int64_t start = 0; start < n; start += rows_per_block) {
    const auto end = std::min(n, start + rows_per_block);
    out.slice(0, start, end)
        .copy_(-std::get<0>(head.distances(embedding.slice(0, start, end)).min(1)));
  }
  return out;
}

namespace builtin {
namespace {

/// `out`, or a logic error naming what the pass left out.
const pool_outputs& checked(const pool_outputs& out) {
  if (!out.embedding.defined() || !out.head_weight.defined()) {
    throw std::logic_error(
        "boundary: the scoring pass gave no embeddings or head weights (it needs "
        "need::embedding and need::head_weights)");
  }
  return out;
}

}  // namespace

void register_boundary(strategy_registry& registry) {
  registry.add(std::string(al::boundary_t::name),
               {.score =
                    [](const pool_outputs& out, const selection_context&) {
                      const auto& o = checked(out);
                      return boundary_scores(o.embedding, o.head_weight, o.head_bias);
                    },
                // Closest to class c's boundary first in column c.
                .class_scores =
                    [](const pool_outputs& out, const selection_context&) {
                      const auto& o = checked(out);
                      return boundary_distances(o.embedding, o.head_weight, o.head_bias).neg_();
                    }});
}
}  // namespace builtin

}  // namespace al::engine
