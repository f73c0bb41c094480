// Balance across classes: `balanced(s)` (per predicted class quotas, BASE
// generalised), `balanced(boundary)` (BASE itself, Emam et al. 2021) and
// `class_balanced(s, λ)` (CBAL's greedy solver, Bengar et al. 2022).
//
// Everything here is O(U·K) memory: the candidates' probabilities or
// boundary distances, never a candidate × candidate matrix.

#include "candidate_rows.hpp"

#include <al/engine/set_selection.hpp>

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace al::engine {
namespace {

using detail::required;
using detail::rows_of;
using detail::to_rows;
using detail::to_vector;

/// BASE: class c takes, among the candidates not yet taken, the ones closest
/// to c's boundary. Classes take turns one pick at a time (c = 0, 1, …, then
/// again), so that a candidate near two boundaries goes to neither class by
/// the accident of class order.
std::vector<std::int64_t> boundary_balanced(const selection_inputs& inputs,
                                            const std::vector<std::int64_t>& rows,
                                            std::int64_t count) {
  const auto& outputs = *inputs.outputs;
  const auto& embedding = required(outputs.embedding, "embeddings", "balanced(boundary)");
  const auto& weight = required(outputs.head_weight, "head weights", "balanced(boundary)");
  const auto distances = boundary_distances(rows_of(embedding, rows), weight, outputs.head_bias);
  const auto n = distances.size(0);
  const auto k = distances.size(1);
  // Each column ascending; a stable sort sends ties to the lower position.
  const auto order = std::get<1>(distances.sort(/*stable=*/true, 0, /*descending=*/false))
                         .t()
                         .contiguous();  // [K, n]: row c is class c's ranking
  const auto* ranking = order.data_ptr<std::int64_t>();
  const auto quotas = class_quotas(count, std::vector<std::int64_t>(static_cast<std::size_t>(k), n));

  std::vector<char> taken(static_cast<std::size_t>(n), 0);
  std::vector<std::int64_t> next(static_cast<std::size_t>(k), 0);  // read position per class
  std::vector<std::int64_t> filled(static_cast<std::size_t>(k), 0);
  std::vector<std::int64_t> picks;
  picks.reserve(static_cast<std::size_t>(count));
  while (static_cast<std::int64_t>(picks.size()) < count) {
    for (std::int64_t c = 0; c < k; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      if (filled[cu] == quotas[cu]) continue;
      auto& at = next[cu];
      while (taken[static_cast<std::size_t>(ranking[c * n + at])]) ++at;  // count ≤ n: never runs out
      const auto position = ranking[c * n + at];
      taken[static_cast<std::size_t>(position)] = 1;
      picks.push_back(position);
      ++filled[cu];
    }
  }
  return to_rows(picks, rows);
}

}  // namespace

std::vector<std::int64_t> class_quotas(std::int64_t count,
                                       const std::vector<std::int64_t>& available) {
  const auto k = static_cast<std::int64_t>(available.size());
  if (k == 0) throw std::invalid_argument("class quotas need at least one class");
  std::vector<std::int64_t> quotas(available.size());
  std::int64_t leftover = 0;
  for (std::int64_t c = 0; c < k; ++c) {
    const auto share = count / k + (c < count % k ? 1 : 0);
    const auto cu = static_cast<std::size_t>(c);
    quotas[cu] = std::min(share, available[cu]);
    leftover += share - quotas[cu];
  }
  // Round-robin in class order, so that the leftover spreads as evenly as
  // the others' candidates allow, and the same inputs give the same quotas.
  while (leftover > 0) {
    bool gave = false;
    for (std::size_t c = 0; c < quotas.size() && leftover > 0; ++c) {
      if (quotas[c] < available[c]) {
        ++quotas[c];
        --leftover;
        gave = true;
      }
    }
    if (!gave) break;  // every class is exhausted
  }
  return quotas;
}

std::vector<std::int64_t> balanced_select(const selector_spec& spec,
                                          const selection_inputs& inputs,
                                          const std::vector<std::int64_t>& rows,
                                          std::int64_t count) {
  const auto& inner = spec.inner.at(0);
  if (inner.name == "boundary") return boundary_balanced(inputs, rows, count);

  const auto& probs = required(inputs.outputs->probs, "probabilities", "balanced");
  const auto predicted = to_vector(rows_of(probs, rows).argmax(1));
  const auto k = probs.size(1);
  // One ranking of all candidates by s; each class keeps its best q_c, and
  // the picks come out in that global order.
  const auto n = static_cast<std::int64_t>(rows.size());
  const auto order = to_vector(top_k(score_rows(inner, inputs, rows), n));
  std::vector<std::int64_t> available(static_cast<std::size_t>(k), 0);
  for (auto c : predicted) ++available[static_cast<std::size_t>(c)];
  auto remaining = class_quotas(count, available);
  std::vector<std::int64_t> picks;
  picks.reserve(static_cast<std::size_t>(count));
  for (auto position : order) {
    auto& quota = remaining[static_cast<std::size_t>(predicted[static_cast<std::size_t>(position)])];
    if (quota == 0) continue;
    --quota;
    picks.push_back(position);
    if (static_cast<std::int64_t>(picks.size()) == count) break;
  }
  return to_rows(picks, rows);
}

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

}  // namespace al::engine
