// PT4AL: the pool in order of rotation pretext loss, one batch per labelling
// round, the hardest batch first.

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/pretrain.hpp>
#include <al/engine/set_selection.hpp>
#include <al/strategy/pt4al.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace al::engine {

torch::Tensor pt4al_batches(const torch::Tensor& pretext_loss, int rounds) {
  if (rounds < 1) throw std::invalid_argument("PT4AL needs at least one round");
  const auto n = pretext_loss.size(0);
  // Stable, so equal losses keep their pool order and the split is
  // reproducible.
  const auto order = std::get<1>(
      pretext_loss.to(torch::kCPU, torch::kFloat64).sort(/*stable=*/true, 0, /*descending=*/true));
  // Position i of the order goes to batch ⌊i·rounds / n⌋: consecutive runs
  // whose sizes differ by at most one.
  const auto batch_of_position = torch::arange(n, torch::kLong).mul(rounds).div(n, "floor");
  auto batches = torch::empty({n}, torch::kLong);
  batches.index_put_({order}, batch_of_position);
  return batches;
}

std::vector<std::int64_t> pt4al_select(const selector_spec& spec, const selection_inputs& inputs,
                                       const std::vector<std::int64_t>& rows, std::int64_t count) {
  const auto& outputs = *inputs.outputs;
  if (!outputs.pretext_loss.defined() || !outputs.pretext_batch.defined()) {
    throw std::logic_error("pt4al: the run gave no pretext losses; it needs pretrain(rotation)");
  }
  const auto batch = detail::rows_of(outputs.pretext_batch, rows).to(torch::kCPU).contiguous();
  const auto loss =
      detail::rows_of(outputs.pretext_loss, rows).to(torch::kCPU, torch::kFloat64).contiguous();
  const auto* batch_of = batch.data_ptr<std::int64_t>();
  const auto* loss_of = loss.data_ptr<double>();

  // The rows of each batch, hardest first.
  std::map<std::int64_t, std::vector<std::size_t>> by_batch;
  for (std::size_t i = 0; i < rows.size(); ++i) by_batch[batch_of[i]].push_back(i);
  for (auto& [b, members] : by_batch) {
    std::stable_sort(members.begin(), members.end(),
                     [&](std::size_t x, std::size_t y) { return loss_of[x] > loss_of[y]; });
  }
  // This round's batch; while it is short, the next batches, then the
  // earlier ones.
  const std::int64_t round = inputs.cycle;
  std::vector<std::int64_t> order_of_batches;
  for (const auto& [b, members] : by_batch) {
    if (b >= round) order_of_batches.push_back(b);
  }
  for (auto it = by_batch.rbegin(); it != by_batch.rend(); ++it) {
    if (it->first < round) order_of_batches.push_back(it->first);
  }
  // Round 0: no model has seen a label yet, so an evenly spaced sample over
  // the loss order covers the batch from its hardest to its easiest sample.
  // Later rounds: the inner scorer's top within the batch.
  const auto take = [&](const std::vector<std::size_t>& members, std::int64_t n) {
    std::vector<std::int64_t> member_rows;
    for (auto i : members) member_rows.push_back(rows[i]);
    if (round > 0) return select_rows(spec.inner.at(0), inputs, member_rows, n);
    const auto available = static_cast<std::int64_t>(member_rows.size());
    std::vector<std::int64_t> spaced;
    for (std::int64_t i = 0; i < n; ++i) {
      spaced.push_back(member_rows[static_cast<std::size_t>(i * available / n)]);
    }
    return spaced;
  };
  std::vector<std::int64_t> chosen;
  for (auto b : order_of_batches) {
    const auto& members = by_batch[b];
    const auto wanted = std::min<std::int64_t>(count - static_cast<std::int64_t>(chosen.size()),
                                               static_cast<std::int64_t>(members.size()));
    const auto picked = take(members, wanted);
    chosen.insert(chosen.end(), picked.begin(), picked.end());
    if (static_cast<std::int64_t>(chosen.size()) == count) break;
  }
  return chosen;
}

namespace builtin {
void register_pt4al(strategy_registry& registry) {
  registry.add("pt4al", {.select = pt4al_select});
}
}  // namespace builtin

}  // namespace al::engine
