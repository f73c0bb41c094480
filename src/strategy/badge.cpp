// badge: k-means++ seeding on factorised gradient embeddings (BADGE, Ash
// et al. 2020): on the CPU with triangle-inequality pruning, elsewhere as
// tensor code on the inputs' device.

#include "../select/candidate_rows.hpp"
#include "../select/nearest_centre.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/devices.hpp>
#include <al/engine/set_selection.hpp>
#include <al/engine/threads.hpp>
#include <al/strategy/badge.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <stdexcept>

namespace al::engine {
namespace {

/// g_i = a_i ⊗ h_i with a_i = p_i − e_ŷ, never materialised.
struct gradient_embedding {
  torch::Tensor a;         // [U, K]
  torch::Tensor h;         // [U, d]
  torch::Tensor squared_norm;  // [U]: ||a_i||²·||h_i||² = ||g_i||²

  /// On `device`: the CPU for the pruned scan, the inputs' own device for
  /// the tensor code.
  gradient_embedding(const torch::Tensor& probs, const torch::Tensor& embedding,
                     torch::Device device) {
    // a = p − e_ŷ: one copy of p with 1 taken off each row's largest entry.
    // (A one-hot matrix would be an int64 [U, K] first: 10 GB at ImageNet size.)
    a = probs.to(device, torch::kFloat).clone(at::MemoryFormat::Contiguous);
    const auto predicted = a.argmax(1, /*keepdim=*/true);
    a.scatter_add_(1, predicted, torch::full({a.size(0), 1}, -1.0f, a.options()));
    h = embedding.to(device, torch::kFloat).contiguous();
    // ||a||²·||h||², a block of rows at a time: no [U, K] or [U, d] temporary.
    squared_norm = torch::empty({a.size(0)}, a.options());
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

/// k-means++ seeding as tensor code on the device of `g`. D², the squared
/// distance to the nearest centre, is one [U] vector there, 0 at the
/// centres; a new centre lowers it through the factorised formula, two
/// matrix-vector products. A draw is the first row whose running sum of D²
/// (float64) exceeds u·ΣD²: a row of weight 0 is never drawn, so no row
/// twice. The uniforms u come from a generator on the device seeded with
/// `seed`, all at once; picks gather on the device and are copied once, so
/// nothing is read back per pick.
std::vector<std::int64_t> kmeans_pp_on_device(const gradient_embedding& g, std::int64_t count,
                                              std::uint64_t seed) {
  const auto n = g.a.size(0);
  const auto device = g.a.device();
  // On the CPU (tests, benchmarks) the products are OpenBLAS's, which gets
  // every core only inside this scope.
  std::optional<parallel_blas_scope> every_core;
  if (device.is_cpu()) every_core.emplace();
  auto generator = seeded_generator(device, seed);
  const auto uniforms =
      torch::rand({count - 1}, generator, torch::TensorOptions(torch::kDouble).device(device));
  auto picks = torch::empty({count}, torch::TensorOptions(torch::kLong).device(device));
  auto available = torch::ones({n}, torch::TensorOptions(torch::kBool).device(device));
  torch::Tensor nearest;  // [U] D²
  auto chosen = g.squared_norm.argmax().view({1});  // the first centre: the largest ||g||
  for (std::int64_t step = 0;; ++step) {
    picks.slice(0, step, step + 1).copy_(chosen);
    available.index_fill_(0, chosen, false);
    if (step + 1 == count) break;
    // ||g_i||² + ||g_j||² − 2 (a_i·a_j)(h_i·h_j), in the CPU code's order.
    const auto cross = g.a.mv(g.a.index_select(0, chosen).squeeze(0)) *
                       g.h.mv(g.h.index_select(0, chosen).squeeze(0));
    auto to_centre = (g.squared_norm + g.squared_norm.index_select(0, chosen))
                         .sub_(cross, 2)
                         .clamp_min_(0);
    nearest = step == 0 ? std::move(to_centre) : torch::minimum(nearest, to_centre);
    nearest.index_fill_(0, chosen, 0.0f);  // rounding leaves a centre a little above 0

    const auto weights = nearest.to(torch::kDouble);
    const auto running = weights.cumsum(0);
    const auto total = running.slice(0, n - 1, n);  // [1]
    const auto target = uniforms.slice(0, step, step + 1) * total;
    const auto drawn = torch::searchsorted(running, target, /*out_int32=*/false, /*right=*/true)
                           .clamp_max_(n - 1);
    // u·ΣD² may round up to ΣD² itself: then the largest D². When every D²
    // is 0 (each candidate left sits on a centre), the first row not yet
    // picked, as the CPU code takes.
    const auto fallback = torch::where(total > 0, weights.argmax().view({1}),
                                       available.to(torch::kInt).argmax().view({1}));
    chosen = torch::where(weights.index_select(0, drawn) > 0, drawn, fallback);
  }
  return detail::to_vector(picks);
}

}  // namespace

torch::Tensor gradient_embedding_distances(const torch::Tensor& probs,
                                           const torch::Tensor& embedding, std::int64_t row) {
  const gradient_embedding g(probs, embedding, torch::kCPU);
  const auto distance = distance_of(g);
  auto out = torch::empty({g.a.size(0)});
  auto* values = out.data_ptr<float>();
  for (std::int64_t i = 0; i < g.a.size(0); ++i) values[i] = distance(i, row);
  return out;
}

std::vector<std::int64_t> badge_kmeans_pp(const torch::Tensor& probs,
                                          const torch::Tensor& embedding, std::int64_t count,
                                          std::uint64_t seed, selection_path path) {
  const auto n = probs.size(0);
  if (count > n || count < 0) {
    throw std::invalid_argument(fmt::format("badge cannot pick {} of {} candidates", count, n));
  }
  if (embedding.size(0) != n) {
    throw std::invalid_argument("badge: probabilities and embeddings differ in rows");
  }
  std::vector<std::int64_t> picks;
  if (count == 0) return picks;
  if (detail::on_tensor_path(probs.device(), path)) {
    return kmeans_pp_on_device(gradient_embedding(probs, embedding, probs.device()), count, seed);
  }
  const gradient_embedding g(probs, embedding, torch::kCPU);
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
                                                        inputs.seed, inputs.path),
                                        rows);
               }});
}
}  // namespace builtin

}  // namespace al::engine
