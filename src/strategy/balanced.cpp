// balanced(s): an equal quota per class. A scorer with a per-class ranking
// fills each class's quota from its own column (`balanced(boundary)` is BASE,
// Emam et al. 2021); any other scorer fills the quota of each predicted
// class with that class's best candidates.
//
// O(U·K) memory: the candidates' probabilities or per-class scores, never a
// candidate × candidate matrix. Off the CPU the rankings are computed on the
// scores' device (see the *_on_device functions).

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/set_selection.hpp>

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace al::engine {
namespace {

using detail::required;
using detail::rows_of;
using detail::to_rows;
using detail::to_vector;

/// For every class c, the first `depth` positions of a stable descending
/// sort of column c of `class_scores` [n, K] (larger first, ties to the lower
/// position, NaN first as torch sorts it), as [K][depth] row-major. Never an
/// [n, K] index matrix: columns are copied a few at a time, and each keeps
/// only its best `depth` (nth_element, then a sort of those), so a query of
/// 10 000 from 1.28 M candidates and 1 000 classes holds 10 000 × 1 000
/// positions, not 1.28 G.
std::vector<std::int64_t> leading_positions(const torch::Tensor& class_scores,
                                            std::int64_t depth) {
  const auto n = class_scores.size(0);
  const auto k = class_scores.size(1);
  std::vector<std::int64_t> leading(static_cast<std::size_t>(k * depth));
  constexpr std::int64_t columns_per_chunk = 16;
  for (std::int64_t first = 0; first < k; first += columns_per_chunk) {
    const auto last = std::min(k, first + columns_per_chunk);
    const auto chunk =
        class_scores.slice(1, first, last).to(torch::kCPU, torch::kFloat64).t().contiguous();
    const auto* values = chunk.data_ptr<double>();
    at::parallel_for(first, last, 1, [&](std::int64_t begin, std::int64_t end) {
      std::vector<std::pair<double, std::int64_t>> column(static_cast<std::size_t>(n));
      const auto before = [](const std::pair<double, std::int64_t>& x,
                             const std::pair<double, std::int64_t>& y) {
        const bool x_nan = std::isnan(x.first), y_nan = std::isnan(y.first);
        if (x_nan != y_nan) return x_nan;
        if (!x_nan && x.first != y.first) return x.first > y.first;
        return x.second < y.second;
      };
      for (std::int64_t c = begin; c < end; ++c) {
        const double* v = values + (c - first) * n;
        for (std::int64_t i = 0; i < n; ++i) column[static_cast<std::size_t>(i)] = {v[i], i};
        const auto cut = column.begin() + depth;
        std::nth_element(column.begin(), cut, column.end(), before);
        std::sort(column.begin(), cut, before);
        for (std::int64_t r = 0; r < depth; ++r) {
          leading[static_cast<std::size_t>(c * depth + r)] = column[static_cast<std::size_t>(r)].second;
        }
      }
    });
  }
  return leading;
}

/// leading_positions as tensor code on the scores' device: a stable
/// descending sort of a few columns at a time (NaN first, ties to the lower
/// position, as on the CPU), of which the first `depth` rows are kept; only
/// those K × depth positions come to the host.
std::vector<std::int64_t> leading_positions_on_device(const torch::Tensor& class_scores,
                                                      std::int64_t depth) {
  const auto k = class_scores.size(1);
  auto leading =
      torch::empty({k, depth}, torch::TensorOptions(torch::kLong).device(class_scores.device()));
  constexpr std::int64_t columns_per_chunk = 16;  // the sort's indices: [n, 16] int64 at a time
  for (std::int64_t first = 0; first < k; first += columns_per_chunk) {
    const auto last = std::min(k, first + columns_per_chunk);
    const auto order = std::get<1>(
        class_scores.slice(1, first, last).sort(/*stable=*/true, 0, /*descending=*/true));
    leading.slice(0, first, last).copy_(order.slice(0, 0, depth).t());
  }
  return to_vector(leading);  // row-major [K][depth], as leading_positions
}

/// With a per-class ranking [n, K] (BASE's: closest to c's boundary first):
/// class c takes, among the candidates not yet taken, its best by column c.
/// Classes take turns one pick at a time (c = 0, 1, …, then again), so that
/// a candidate near two boundaries goes to neither class by the accident of
/// class order. The turns read only the K × depth leading positions, so they
/// run on the host whichever device ranked them.
std::vector<std::int64_t> balanced_by_class_scores(const torch::Tensor& class_scores,
                                                   const std::vector<std::int64_t>& rows,
                                                   std::int64_t count, selection_path path) {
  const auto n = class_scores.size(0);
  const auto k = class_scores.size(1);
  // Before class c's next pick, fewer than `count` candidates are taken, and
  // they fill every earlier place of its ranking: its first `count` places
  // are all it can ever read.
  const auto depth = std::min(n, count);
  const auto ranking = detail::on_tensor_path(class_scores.device(), path)
                           ? leading_positions_on_device(class_scores, depth)
                           : leading_positions(class_scores, depth);  // row c: class c's best
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
      while (taken[static_cast<std::size_t>(ranking[static_cast<std::size_t>(c * depth + at)])]) {
        ++at;  // stays below depth: see above
      }
      const auto position = ranking[static_cast<std::size_t>(c * depth + at)];
      taken[static_cast<std::size_t>(position)] = 1;
      picks.push_back(position);
      ++filled[cu];
    }
  }
  return to_rows(picks, rows);
}

/// balanced(s) by predicted class as tensor code on the device of `probs`
/// [n, K] and `scores` [n]: one stable ranking by s; a stable sort of the
/// ranked candidates by predicted class keeps that order inside each class,
/// so a candidate's place in its class is its place there less the class's
/// start; the ones placed below their class's quota are the picks, in the
/// ranking's order, as the CPU loop takes them. Only the K class counts and
/// the picks come to the host.
std::vector<std::int64_t> balanced_by_prediction_on_device(const torch::Tensor& probs,
                                                           const torch::Tensor& scores,
                                                           std::int64_t count) {
  const auto n = probs.size(0);
  const auto k = probs.size(1);
  const auto device = probs.device();
  const auto predicted = probs.argmax(1);
  const auto order =
      std::get<1>(scores.to(device).sort(/*stable=*/true, 0, /*descending=*/true));
  const auto available_per_class = torch::bincount(predicted, {}, k);
  const auto quotas = torch::tensor(class_quotas(count, to_vector(available_per_class)),
                                    torch::kLong)
                          .to(device);
  const auto class_in_order = predicted.index_select(0, order);
  const auto by_class = std::get<1>(class_in_order.sort(/*stable=*/true, 0, /*descending=*/false));
  const auto class_start = available_per_class.cumsum(0) - available_per_class;
  const auto sorted_class = class_in_order.index_select(0, by_class);
  auto place = torch::empty({n}, torch::TensorOptions(torch::kLong).device(device));
  place.index_copy_(0, by_class,
                    torch::arange(n, place.options()) - class_start.index_select(0, sorted_class));
  const auto keep = place < quotas.index_select(0, class_in_order);
  return to_vector(order.masked_select(keep));
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
    return balanced_by_class_scores(by_class, rows, count, inputs.path);
  }

  const auto& probs = required(inputs.outputs->probs, "probabilities", "balanced");
  if (detail::on_tensor_path(probs.device(), inputs.path)) {
    return to_rows(balanced_by_prediction_on_device(rows_of(probs, rows),
                                                    score_rows(inner, inputs, rows), count),
                   rows);
  }
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
