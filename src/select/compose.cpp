// Runs a strategy expression — a word or a combinator of words — over a set
// of candidate rows, each word by the engine code registered under its name.

#include "candidate_rows.hpp"

#include <al/engine/set_selection.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace al::engine {
namespace {

/// The outputs of `rows` only, so that a nested word sees just its candidates.
pool_outputs restrict_to(const pool_outputs& all, const std::vector<std::int64_t>& rows) {
  pool_outputs out;
  auto take = [&](const torch::Tensor& t) { return t.defined() ? detail::rows_of(t, rows) : t; };
  out.probs = take(all.probs);
  out.embedding = take(all.embedding);
  out.mutual_information = take(all.mutual_information);
  out.pretext_loss = take(all.pretext_loss);
  out.pretext_batch = take(all.pretext_batch);
  out.head_weight = all.head_weight;  // one head for every candidate
  out.head_bias = all.head_bias;
  out.aux_probs = take(all.aux_probs);
  out.previous_probs = take(all.previous_probs);
  return out;
}

selection_context context_of(const selection_inputs& inputs, const std::vector<std::int64_t>& rows) {
  return {static_cast<std::int64_t>(rows.size()), inputs.seed, inputs.cycle};
}

}  // namespace

torch::Tensor score_rows(const selector_spec& spec, const selection_inputs& inputs,
                         const std::vector<std::int64_t>& rows) {
  const auto score = find_scorer(spec.name);
  return score(restrict_to(*inputs.outputs, rows), context_of(inputs, rows));
}

torch::Tensor class_score_rows(const selector_spec& spec, const selection_inputs& inputs,
                               const std::vector<std::int64_t>& rows) {
  const auto class_scores = find_class_scorer(spec.name);
  if (!class_scores) return {};
  return class_scores(restrict_to(*inputs.outputs, rows), context_of(inputs, rows));
}

std::vector<std::int64_t> select_rows(const selector_spec& spec, const selection_inputs& inputs,
                                      const std::vector<std::int64_t>& rows, std::int64_t count) {
  const auto available = static_cast<std::int64_t>(rows.size());
  if (count > available || count < 0) {
    throw std::invalid_argument(fmt::format("{} cannot select {} samples from {} candidates",
                                            spec.name, count, available));
  }
  if (count == 0) return {};
  if (const auto select = find_selector(spec.name)) return select(spec, inputs, rows, count);
  // A per-sample scorer: its top-k.
  return detail::to_rows(detail::to_vector(top_k(score_rows(spec, inputs, rows), count)), rows);
}

}  // namespace al::engine
