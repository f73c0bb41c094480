// boundary: the distance to the nearest decision boundary of the linear head
// (BASE, Emam et al. 2021). Its per-class ranking, column c the distance to
// class c's boundary, is what balanced(boundary) — BASE itself — takes.

#include "../select/strategy_registry.hpp"

#include <al/strategy/boundary.hpp>

#include <limits>
#include <stdexcept>

namespace al::engine {

torch::Tensor boundary_distances(const torch::Tensor& embedding, const torch::Tensor& weight,
                                 const torch::Tensor& bias) {
  const auto h = embedding.to(torch::kCPU, torch::kFloat64);
  const auto w = weight.to(torch::kCPU, torch::kFloat64);
  const auto b = bias.to(torch::kCPU, torch::kFloat64);
  const auto k = w.size(0);
  if (k < 2) throw std::invalid_argument("boundary distances need at least 2 classes");
  // (w_ŷ − w_c)·h + (b_ŷ − b_c) = z_ŷ − z_c with z the logits: one GEMM.
  const auto logits = torch::addmm(b, h, w.t());
  const auto [top, predicted] = logits.max(1);
  const auto gaps = top.unsqueeze(1) - logits;  // ≥ 0
  // ||w_a − w_b|| for every pair of classes, looked up per predicted class.
  const auto norms = torch::cdist(w.unsqueeze(0), w.unsqueeze(0)).squeeze(0);
  // Two classes with the same weights have no boundary between them in h;
  // the clamp makes that distance huge instead of 0/0.
  auto distances = gaps / norms.index_select(0, predicted).clamp_min(1e-12);
  // The own column: the nearest boundary of the predicted class.
  const auto own = predicted.unsqueeze(1);
  const auto nearest =
      std::get<0>(distances.scatter(1, own, std::numeric_limits<double>::infinity()).min(1));
  return distances.scatter_(1, own, nearest.unsqueeze(1));
}

torch::Tensor boundary_scores(const torch::Tensor& embedding, const torch::Tensor& weight,
                              const torch::Tensor& bias) {
  // The own column holds min_{c≠ŷ} d_c; it is also the row's smallest entry.
  return -std::get<0>(boundary_distances(embedding, weight, bias).min(1));
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
                      return -boundary_distances(o.embedding, o.head_weight, o.head_bias);
                    }});
}
}  // namespace builtin

}  // namespace al::engine
