// Per-sample scores, top-k and the scorer registry.

#include <al/engine/selection.hpp>
#include <al/strategy/bald.hpp>
#include <al/strategy/boundary.hpp>
#include <al/strategy/entropy.hpp>
#include <al/strategy/least_confidence.hpp>
#include <al/strategy/margin.hpp>
#include <al/strategy/mcdal.hpp>
#include <al/strategy/random.hpp>
#include <al/strategy/tod.hpp>

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>

#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>

namespace al::engine {

torch::Tensor random_scores(std::int64_t count, std::uint64_t seed) {
  // Uniform keys; their top-k is a uniform sample without replacement.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::rand({count}, generator, torch::kFloat64);
}

torch::Tensor least_confidence_scores(const torch::Tensor& probs) {
  return 1.0 - std::get<0>(probs.max(1));
}

torch::Tensor margin_scores(const torch::Tensor& probs) {
  const auto top_two = std::get<0>(probs.topk(2, 1));
  return -(top_two.select(1, 0) - top_two.select(1, 1));
}

torch::Tensor entropy_scores(const torch::Tensor& probs) {
  // xlogy gives 0·log 0 = 0 where a class has probability exactly 0.
  return -torch::xlogy(probs, probs).sum(1);
}

torch::Tensor bald_scores(const torch::Tensor& mc_probs) {
  const auto mean = mc_probs.mean(1);
  const auto entropy_of_mean = -torch::xlogy(mean, mean).sum(1);
  const auto mean_entropy = -torch::xlogy(mc_probs, mc_probs).sum(2).mean(1);
  return entropy_of_mean - mean_entropy;
}

torch::Tensor mcdal_scores(const torch::Tensor& probs, const torch::Tensor& aux_probs) {
  const auto p1 = aux_probs.select(1, 0);
  const auto p2 = aux_probs.select(1, 1);
  return (p1 - p2).abs().sum(1) + (probs - p1).abs().sum(1) + (probs - p2).abs().sum(1);
}

torch::Tensor tod_scores(const torch::Tensor& probs, const torch::Tensor& previous_probs) {
  return 0.5 * (probs - previous_probs).square().sum(1);
}

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

torch::Tensor top_k(const torch::Tensor& scores, std::int64_t k) {
  const auto n = scores.size(0);
  if (k > n || k < 0) {
    throw std::invalid_argument(fmt::format(
        "cannot select {} samples from {} candidates; make the query smaller than the "
        "unlabelled pool (or the pool larger: config.data.pool_size)",
        k, n));
  }
  // A stable descending sort ranks equal scores by position, so ties never
  // depend on the sort algorithm or the thread count.
  const auto order = std::get<1>(scores.to(torch::kCPU).sort(/*stable=*/true, 0, /*descending=*/true));
  return order.slice(0, 0, k);
}

namespace {

struct scorer_registry {
  std::mutex mutex;
  std::map<std::string, scorer_function, std::less<>> scorers;

  scorer_registry() {
    auto need_probs = [](std::string_view word, const pool_outputs& out) -> const torch::Tensor& {
      if (!out.probs.defined()) {
        throw std::logic_error(fmt::format("{}: the scoring pass gave no probabilities", word));
      }
      return out.probs;
    };
    scorers.emplace(std::string(al::random_t::name),
                    [](const pool_outputs&, const selection_context& c) {
                      return random_scores(c.candidates, c.seed);
                    });
    scorers.emplace(std::string(al::least_confidence_t::name),
                    [=](const pool_outputs& out, const selection_context&) {
                      return least_confidence_scores(need_probs("least_confidence", out));
                    });
    scorers.emplace(std::string(al::margin_t::name),
                    [=](const pool_outputs& out, const selection_context&) {
                      return margin_scores(need_probs("margin", out));
                    });
    scorers.emplace(std::string(al::entropy_t::name),
                    [=](const pool_outputs& out, const selection_context&) {
                      return entropy_scores(need_probs("entropy", out));
                    });
    scorers.emplace(std::string(al::boundary_t::name),
                    [](const pool_outputs& out, const selection_context&) {
                      if (!out.embedding.defined() || !out.head_weight.defined()) {
                        throw std::logic_error(
                            "boundary: the scoring pass gave no embeddings or head weights (it "
                            "needs need::embedding and need::head_weights)");
                      }
                      return boundary_scores(out.embedding, out.head_weight, out.head_bias);
                    });
    scorers.emplace(std::string(al::mcdal_t::name),
                    [=](const pool_outputs& out, const selection_context&) {
                      if (!out.aux_probs.defined()) {
                        throw std::logic_error(
                            "mcdal: the scoring pass gave no auxiliary heads' outputs (it needs "
                            "need::aux_heads)");
                      }
                      return mcdal_scores(need_probs("mcdal", out), out.aux_probs);
                    });
    scorers.emplace(std::string(al::tod_t::name),
                    [=](const pool_outputs& out, const selection_context& c) {
                      // Before the second training there is no previous model:
                      // the plan says this query is random (Huang et al.).
                      if (!out.previous_probs.defined()) return random_scores(c.candidates, c.seed);
                      return tod_scores(need_probs("tod", out), out.previous_probs);
                    });
    scorers.emplace(std::string(al::bald_t::name),
                    [](const pool_outputs& out, const selection_context&) {
                      if (!out.mutual_information.defined()) {
                        throw std::logic_error(
                            "bald: the scoring pass gave no mutual information (it needs "
                            "need::mc_dropout)");
                      }
                      return out.mutual_information;
                    });
  }
};

scorer_registry& registry() {
  static scorer_registry instance;
  return instance;
}

}  // namespace

void register_scorer(std::string name, scorer_function score) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.scorers.insert_or_assign(std::move(name), std::move(score));
}

// A copy, not a reference into the map: once the lock is released another
// thread may replace or remove the entry, and the caller would be left
// calling a destroyed function. A std::function copy is one allocation at
// most, made once per selection.
scorer_function find_scorer(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (auto it = r.scorers.find(name); it != r.scorers.end()) return it->second;
  std::string known;
  for (const auto& [word, _] : r.scorers) known += (known.empty() ? "" : ", ") + word;
  throw std::invalid_argument(fmt::format(
      "no engine code is registered for the strategy \"{}\" (registered: {}); a user-defined "
      "word needs al::engine::register_scorer(\"{}\", ...) before the run",
      name, known, name));
}

bool unregister_scorer(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.scorers.find(name);
  if (it == r.scorers.end()) return false;
  r.scorers.erase(it);
  return true;
}

std::vector<std::string> registered_scorers() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [word, _] : r.scorers) names.push_back(word);
  return names;
}

}  // namespace al::engine
