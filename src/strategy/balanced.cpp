// balanced(s): an equal quota per class. A scorer with a per-class ranking
// fills each class's quota from its own column (`balanced(boundary)` is BASE,
// Emam et al. 2021); any other scorer fills the quota of each predicted
// class with that class's best candidates.
//
// O(U·K) memory: the candidates' probabilities or per-class scores, never a
// candidate × candidate matrix.

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/set_selection.hpp>

#include <algorithm>
#include <stdexcept>

namespace al::engine {
namespace {

using detail::required;
using detail::rows_of;
using detail::to_rows;
using detail::to_vector;

/// With a per-class ranking [n, K] (BASE's: closest to c's boundary first):
/// class c takes, among the candidates not yet taken, its best by column c.
/// Classes take turns one pick at a time (c = 0, 1, …, then again), so that
/// a candidate near two boundaries goes to neither class by the accident of
/// class order.
std::vector<std::int64_t> balanced_by_class_scores(const torch::Tensor& class_scores,
                                                   const std::vector<std::int64_t>& rows,
                                                   std::int64_t count) {
  const auto n = class_scores.size(0);
  const auto k = class_scores.size(1);
  // Each column descending; a stable sort sends ties to the lower position.
  const auto order = std::get<1>(class_scores.to(torch::kCPU).sort(/*stable=*/true, 0,
                                                                    /*descending=*/true))
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
  if (const auto by_class = class_score_rows(inner, inputs, rows); by_class.defined()) {
    return balanced_by_class_scores(by_class, rows, count);
  }

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

namespace builtin {
void register_balanced(strategy_registry& registry) {
  registry.add("balanced", {.select = balanced_select});
}
}  // namespace builtin

}  // namespace al::engine
