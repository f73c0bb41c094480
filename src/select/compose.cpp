// Runs a strategy expression — a word or a combinator of words — over a set
// of candidate rows.

#include "candidate_rows.hpp"

#include <al/engine/set_selection.hpp>
#include <al/seed.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <map>
#include <mutex>
#include <string>
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

namespace {

/// prefilter(s, m) >> set: the m·b best by the scorer, then the set selector.
std::vector<std::int64_t> prefilter_select(const selector_spec& spec, const selection_inputs& inputs,
                                           const std::vector<std::int64_t>& rows,
                                           std::int64_t count) {
  const auto available = static_cast<std::int64_t>(rows.size());
  const auto keep = std::min<std::int64_t>(
      available, std::max<std::int64_t>(count, std::llround(spec.parameter * double(count))));
  const auto shortlist = select_rows(spec.inner.at(0), inputs, rows, keep);
  return select_rows(spec.inner.at(1), inputs, shortlist, count);
}

/// mix(a, b, r): r·b by the first, the rest by the second from what is left.
std::vector<std::int64_t> mix_select(const selector_spec& spec, const selection_inputs& inputs,
                                     const std::vector<std::int64_t>& rows, std::int64_t count) {
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

/// coreset: greedy k-center from the labelled set's embeddings.
std::vector<std::int64_t> coreset_select(const selector_spec& spec, const selection_inputs& inputs,
                                         const std::vector<std::int64_t>& rows, std::int64_t count) {
  const auto& embedding = required(inputs.outputs->embedding, "embeddings", spec.name);
  return to_rows(k_center_greedy(detail::rows_of(embedding, rows), inputs.labelled_embedding, count),
                 rows);
}

/// badge: k-means++ on the factorised gradient embeddings.
std::vector<std::int64_t> badge_select(const selector_spec& spec, const selection_inputs& inputs,
                                       const std::vector<std::int64_t>& rows, std::int64_t count) {
  const auto& probs = required(inputs.outputs->probs, "probabilities", spec.name);
  const auto& embedding = required(inputs.outputs->embedding, "embeddings", spec.name);
  return to_rows(badge_kmeans_pp(detail::rows_of(probs, rows), detail::rows_of(embedding, rows),
                                 count, inputs.seed),
                 rows);
}

/// Every set selector and combinator by name: the built-in ones, registered
/// as a user's are, and the user's.
struct selector_registry {
  std::mutex mutex;
  std::map<std::string, selector_function, std::less<>> selectors;

  selector_registry() {
    selectors.emplace("prefilter", prefilter_select);
    selectors.emplace("mix", mix_select);
    selectors.emplace("pt4al", pt4al_select);
    selectors.emplace("balanced", balanced_select);
    selectors.emplace("class_balanced", class_balanced_select);
    selectors.emplace("coreset", coreset_select);
    selectors.emplace("badge", badge_select);
  }
};

selector_registry& selectors() {
  static selector_registry instance;
  return instance;
}

}  // namespace

void register_selector(std::string name, selector_function select) {
  auto& r = selectors();
  const std::lock_guard lock(r.mutex);
  r.selectors.insert_or_assign(std::move(name), std::move(select));
}

selector_function find_selector(std::string_view name) {
  auto& r = selectors();
  const std::lock_guard lock(r.mutex);
  const auto it = r.selectors.find(name);
  return it == r.selectors.end() ? selector_function{} : it->second;
}

bool unregister_selector(std::string_view name) {
  auto& r = selectors();
  const std::lock_guard lock(r.mutex);
  const auto it = r.selectors.find(name);
  if (it == r.selectors.end()) return false;
  r.selectors.erase(it);
  return true;
}

std::vector<std::string> registered_selectors() {
  auto& r = selectors();
  const std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, _] : r.selectors) names.push_back(name);
  return names;
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
  return to_rows(detail::to_vector(top_k(score_rows(spec, inputs, rows), count)), rows);
}

}  // namespace al::engine
