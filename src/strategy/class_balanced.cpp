// class_balanced(s, λ): CBAL's greedy solver (Bengar et al. 2022), which
// trades the scorer's preference against the labelled set's class deficits.
//
// O(U·K) memory: the candidates' probabilities, never a candidate ×
// candidate matrix.

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/set_selection.hpp>

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace al::engine {

using detail::required;
using detail::rows_of;
using detail::to_rows;

std::vector<double> class_deficits(const std::vector<std::int64_t>& labelled_class_counts,
                                   std::int64_t count) {
  if (labelled_class_counts.empty()) {
    throw std::logic_error(
        "class_balanced needs the labelled set's class counts; the run gave none");
  }
  const auto k = static_cast<std::int64_t>(labelled_class_counts.size());
  const auto labelled =
      std::accumulate(labelled_class_counts.begin(), labelled_class_counts.end(), std::int64_t{0});
  const auto target = (labelled + count) / k;
  std::vector<double> deficit;
  deficit.reserve(labelled_class_counts.size());
  for (auto n : labelled_class_counts) {
    deficit.push_back(static_cast<double>(std::max<std::int64_t>(0, target - n)));
  }
  return deficit;
}

std::vector<std::int64_t> class_balanced_greedy(const torch::Tensor& cost,
                                                const torch::Tensor& probs,
                                                const std::vector<double>& deficit,
                                                double lambda, std::int64_t count) {
  const auto n = probs.size(0);
  const auto k = probs.size(1);
  if (cost.numel() != n || static_cast<std::int64_t>(deficit.size()) != k) {
    throw std::invalid_argument(fmt::format(
        "class_balanced: {} costs and {} deficits for probabilities of shape [{}, {}]",
        cost.numel(), deficit.size(), n, k));
  }
  if (count > n || count < 0) {
    throw std::invalid_argument(
        fmt::format("class_balanced cannot pick {} of {} candidates", count, n));
  }
  const auto u = cost.to(torch::kCPU, torch::kFloat64).contiguous();
  const auto p = probs.to(torch::kCPU, torch::kFloat64).contiguous();
  const auto* costs = u.data_ptr<double>();
  const auto* rows = p.data_ptr<double>();
  std::vector<double> residual(deficit);  // Ω − Pᵀz
  std::vector<char> taken(static_cast<std::size_t>(n), 0);

  // Fixed blocks, each reduced to its own (best, position), then reduced in
  // block order: the pick is the same whatever the thread count.
  constexpr std::int64_t block = 4096;
  const auto blocks = (n + block - 1) / block;
  struct best_of_block {
    double value;
    std::int64_t position;
  };
  std::vector<best_of_block> best(static_cast<std::size_t>(blocks));
  std::vector<std::int64_t> picks;
  picks.reserve(static_cast<std::size_t>(count));
  for (std::int64_t step = 0; step < count; ++step) {
    const double* r = residual.data();
    at::parallel_for(0, blocks, 1, [&](std::int64_t first, std::int64_t last) {
      for (std::int64_t b = first; b < last; ++b) {
        best_of_block local{std::numeric_limits<double>::infinity(), -1};
        const auto end = std::min(n, (b + 1) * block);
        for (std::int64_t j = b * block; j < end; ++j) {
          if (taken[static_cast<std::size_t>(j)]) continue;
          const double* pj = rows + j * k;
          double l1 = 0;
          for (std::int64_t c = 0; c < k; ++c) l1 += std::abs(r[c] - pj[c]);
          const double value = costs[j] + lambda * l1;
          // `<`, and `local.position < 0` for a first value of +inf: the
          // lowest position wins ties.
          if (value < local.value || local.position < 0) local = {value, j};
        }
        best[static_cast<std::size_t>(b)] = local;
      }
    });
    best_of_block chosen{std::numeric_limits<double>::infinity(), -1};
    for (const auto& candidate : best) {
      if (candidate.position >= 0 && (chosen.position < 0 || candidate.value < chosen.value)) {
        chosen = candidate;
      }
    }
    taken[static_cast<std::size_t>(chosen.position)] = 1;
    picks.push_back(chosen.position);
    const double* pj = rows + chosen.position * k;
    for (std::int64_t c = 0; c < k; ++c) residual[static_cast<std::size_t>(c)] -= pj[c];
  }
  return picks;
}

std::vector<std::int64_t> class_balanced_select(const selector_spec& spec,
                                                const selection_inputs& inputs,
                                                const std::vector<std::int64_t>& rows,
                                                std::int64_t count) {
  const auto& probs = required(inputs.outputs->probs, "probabilities", "class_balanced");
  // Larger scores are preferred, so the cost is the negated score: for
  // entropy, U_j = Σ p log p as in the paper.
  const auto cost = -score_rows(spec.inner.at(0), inputs, rows).to(torch::kFloat64);
  const auto deficit = class_deficits(inputs.labelled_class_counts, count);
  return to_rows(class_balanced_greedy(cost, rows_of(probs, rows), deficit, spec.parameter, count),
                 rows);
}

namespace builtin {
void register_class_balanced(strategy_registry& registry) {
  registry.add("class_balanced", {.select = class_balanced_select});
}
}  // namespace builtin

}  // namespace al::engine
