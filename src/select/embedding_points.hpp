#pragma once
// What the small-budget selectors (typiclust, probcover) share: the
// candidates' and the labelled samples' embeddings as one matrix, and
// squared distances a block of rows at a time by GEMM.

#include <torch/torch.h>

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace al::engine::detail {

/// ||a − b||² of every row of `a` against every row of b, given bᵀ [d, m]
/// and ||b||² [m]: ||a||² + ||b||² − 2 a·b, clamped at 0 against rounding.
/// [rows of a, m]: call it on a block of rows.
inline torch::Tensor squared_distances(const torch::Tensor& a, const torch::Tensor& b_transposed,
                                       const torch::Tensor& b_squared_norms) {
  return torch::addmm(b_squared_norms, a, b_transposed, 1, -2)
      .add_(a.pow(2).sum(1).unsqueeze(1))
      .clamp_min_(0);
}

/// The `candidates` [U, d] then the `labelled` samples [L, d] (undefined or
/// empty: none) as one float32 CPU matrix: rows [0, U) are the candidates,
/// [U, U + L) the labelled samples. Checks the query size `count` against U
/// and the widths, naming `word`.
inline torch::Tensor candidates_then_labelled(const torch::Tensor& candidates,
                                              const torch::Tensor& labelled, std::int64_t count,
                                              std::string_view word) {
  const auto u = candidates.size(0);
  if (count < 0 || count > u) {
    throw std::invalid_argument(fmt::format("{} cannot pick {} of {} candidates", word, count, u));
  }
  const auto cpu = candidates.to(torch::kCPU, torch::kFloat).contiguous();
  if (!labelled.defined() || labelled.size(0) == 0) return cpu;
  if (labelled.size(1) != candidates.size(1)) {
    throw std::invalid_argument(
        fmt::format("{}: labelled and unlabelled embeddings differ in width", word));
  }
  return torch::cat({cpu, labelled.to(torch::kCPU, torch::kFloat)});
}

}  // namespace al::engine::detail
