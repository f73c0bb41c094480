// badge: k-means++ seeding on factorised gradient embeddings (BADGE, Ash
// et al. 2020).

#include "../select/candidate_rows.hpp"
#include "../select/nearest_centre.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/set_selection.hpp>
#include <al/strategy/badge.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace al::engine {
namespace {

/// g_i = a_i ⊗ h_i with a_i = p_i − e_ŷ, never materialised.
struct gradient_embedding {
  torch::Tensor a;         // [U, K]
  torch::Tensor h;         // [U, d]
  torch::Tensor squared_norm;  // [U]: ||a_i||²·||h_i||² = ||g_i||²

  gradient_embedding(const torch::Tensor& probs, const torch::Tensor& embedding) {
    // a = p − e_ŷ: one copy of p with 1 taken off each row's largest entry.
    // (A one-hot matrix would be an int64 [U, K] first: 10 GB at ImageNet size.)
    a = probs.to(torch::kCPU, torch::kFloat).clone(at::MemoryFormat::Contiguous);
    const auto predicted = a.argmax(1, /*keepdim=*/true);
    a.scatter_add_(1, predicted, torch::full({a.size(0), 1}, -1.0f));
    h = embedding.to(torch::kCPU, torch::kFloat).contiguous();
    // ||a||²·||h||², a block of rows at a time: no [U, K] or [U, d] temporary.
    squared_norm = torch::empty({a.size(0)});
    constexpr std::int64_t block = 4096;
    for (std::int64_t start = 0; start < a.size(0); start += block) {
      const auto end = std::min(a.size(0), start + block);
      squared_norm.slice(0, start, end)
          .copy_(a.slice(0, start, end).pow(2).sum(1) * h.slice(0, start, end).pow(2).sum(1));
    }
  }
};

struct factorised_distance {
  const float* a;
  const float* h;
  const float* squared_norm;
  std::int64_t classes;
  std::int64_t dims;

  float operator()(std::int64_t i, std::int64_t j) const {
    const float cross = detail::dot(a + i * classes, a + j * classes, classes) *
                        detail::dot(h + i * dims, h + j * dims, dims);
    return std::sqrt(std::max(0.0f, squared_norm[i] + squared_norm[j] - 2.0f * cross));
  }
};

factorised_distance distance_of(const gradient_embedding& g) {
  return {g.a.data_ptr<float>(), g.h.data_ptr<float>(), g.squared_norm.data_ptr<float>(),
          g.a.size(1), g.h.size(1)};
}

}  // namespace

torch::Tensor gradient_embedding_distances(const torch::Tensor& probs,
                                           const torch::Tensor& embedding, std::int64_t row) {
  const gradient_embedding g(probs, embedding);
  const auto distance = distance_of(g);
  auto out = torch::empty({g.a.size(0)});
  auto* values = out.data_ptr<float>();
  for (std::int64_t i = 0; i < g.a.size(0); ++i) values[i] = distance(i, row);
  return out;
}

std::vector<std::int64_t> badge_kmeans_pp(const torch::Tensor& probs,
                                          const torch::Tensor& embedding, std::int64_t count,
                                          std::uint64_t seed) {
  const auto n = probs.size(0);
  if (count > n || count < 0) {
    throw std::invalid_argument(fmt::format("badge cannot pick {} of {} candidates", count, n));
  }
  if (embedding.size(0) != n) {
    throw std::invalid_argument("badge: probabilities and embeddings differ in rows");
  }
  std::vector<std::int64_t> picks;
  if (count == 0) return picks;
  const gradient_embedding g(probs, embedding);
  detail::nearest_centre_tracker tracker(n, distance_of(g));
  std::vector<bool> picked(static_cast<std::size_t>(n), false);

  auto take = [&](std::int64_t i) {
    picked[static_cast<std::size_t>(i)] = true;
    picks.push_back(i);
  };
  const auto first = g.squared_norm.argmax().item<std::int64_t>();
  take(first);
  tracker.start_from_point(first);

  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  while (static_cast<std::int64_t>(picks.size()) < count) {
    const auto& nearest = tracker.nearest();
    double total = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      if (!picked[static_cast<std::size_t>(i)]) total += double(nearest[i]) * nearest[i];
    }
    std::int64_t chosen = -1;
    if (total > 0) {
      const double target = uniform(generator) * total;
      double running = 0;
      for (std::int64_t i = 0; i < n && chosen < 0; ++i) {
        if (picked[static_cast<std::size_t>(i)]) continue;
        running += double(nearest[i]) * nearest[i];
        if (running >= target && nearest[i] > 0) chosen = i;
      }
    }
    if (chosen < 0) {  // every candidate left sits on a centre: take the first one
      for (std::int64_t i = 0; i < n && chosen < 0; ++i) {
        if (!picked[static_cast<std::size_t>(i)]) chosen = i;
      }
    }
    take(chosen);
    tracker.add_centre(chosen);
  }
  return picks;
}

namespace builtin {
void register_badge(strategy_registry& registry) {
  registry.add(std::string(al::badge_t::name),
               {.select = [](const selector_spec& spec, const selection_inputs& inputs,
                             const std::vector<std::int64_t>& rows, std::int64_t count) {
                 const auto& probs =
                     detail::required(inputs.outputs->probs, "probabilities", spec.name);
                 const auto& embedding =
                     detail::required(inputs.outputs->embedding, "embeddings", spec.name);
                 return detail::to_rows(badge_kmeans_pp(detail::rows_of(probs, rows),
                                                        detail::rows_of(embedding, rows), count,
                                                        inputs.seed),
                                        rows);
               }});
}
}  // namespace builtin

}  // namespace al::engine
