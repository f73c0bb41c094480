// Runs a strategy expression — a word or a combinator of words — over a set
// of candidate rows.

#include "candidate_rows.hpp"

#include <al/engine/set_selection.hpp>
#include <al/seed.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

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

using detail::required;
using detail::to_rows;

}  // namespace

torch::Tensor score_rows(const selector_spec& spec, const selection_inputs& inputs,
                         const std::vector<std::int64_t>& rows) {
  const auto score = find_scorer(spec.name);
  const selection_context context{static_cast<std::int64_t>(rows.size()), inputs.seed,
                                  inputs.cycle};
  return score(restrict_to(*inputs.outputs, rows), context);
}

std::vector<std::int64_t> select_rows(const selector_spec& spec, const selection_inputs& inputs,
                                      const std::vector<std::int64_t>& rows, std::int64_t count) {
  const auto available = static_cast<std::int64_t>(rows.size());
  if (count > available || count < 0) {
    throw std::invalid_argument(fmt::format("{} cannot select {} samples from {} candidates",
                                            spec.name, count, available));
  }
  if (count == 0) return {};

  if (spec.name == "prefilter") {  // the m·b best by the scorer, then the set selector
    const auto keep = std::min<std::int64_t>(
        available, std::max<std::int64_t>(count, std::llround(spec.parameter * double(count))));
    const auto shortlist = select_rows(spec.inner.at(0), inputs, rows, keep);
    return select_rows(spec.inner.at(1), inputs, shortlist, count);
  }
  if (spec.name == "mix") {  // r·b by the first, the rest by the second from what is left
    const auto first_count = std::llround(spec.parameter * double(count));
    auto chosen = select_rows(spec.inner.at(0), inputs, rows, first_count);
    const std::unordered_set<std::int64_t> taken(chosen.begin(), chosen.end());
    std::vector<std::int64_t> rest;
    rest.reserve(rows.size() - taken.size());
    for (auto r : rows) {
      if (!taken.contains(r)) rest.push_back(r);
    }
    auto second_inputs = inputs;
    second_inputs.seed = derive_seed(inputs.seed, "mix second");  // its own random stream
    const auto more = select_rows(spec.inner.at(1), second_inputs, rest, count - first_count);
    chosen.insert(chosen.end(), more.begin(), more.end());
    return chosen;
  }
  if (spec.name == "pt4al") return pt4al_select(spec, inputs, rows, count);
  if (spec.name == "balanced") return balanced_select(spec, inputs, rows, count);
  if (spec.name == "class_balanced") return class_balanced_select(spec, inputs, rows, count);
  const auto& outputs = *inputs.outputs;
  if (spec.name == "coreset") {
    const auto& embedding = required(outputs.embedding, "embeddings", spec.name);
    return to_rows(k_center_greedy(detail::rows_of(embedding, rows), inputs.labelled_embedding, count),
                   rows);
  }
  if (spec.name == "badge") {
    const auto& probs = required(outputs.probs, "probabilities", spec.name);
    const auto& embedding = required(outputs.embedding, "embeddings", spec.name);
    return to_rows(badge_kmeans_pp(detail::rows_of(probs, rows), detail::rows_of(embedding, rows),
                                   count, inputs.seed),
                   rows);
  }
  // A per-sample scorer: its top-k.
  return to_rows(detail::to_vector(top_k(score_rows(spec, inputs, rows), count)), rows);
}

}  // namespace al::engine
