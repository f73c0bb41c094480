// typiclust: TypiClust (Hacohen, Dekel & Weinshall, ICML 2022) — k-means on
// the embeddings of labelled and unlabelled samples, then the most typical
// candidate of each cluster that labels cover least. The constants are the
// paper's code's: at most 500 clusters, clusters of 5 or fewer samples left
// out, 20 neighbours.

#include "../select/candidate_rows.hpp"
#include "../select/embedding_points.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/set_selection.hpp>
#include <al/engine/threads.hpp>
#include <al/strategy/typiclust.hpp>

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace al::engine {
namespace {

constexpr std::int64_t most_clusters = 500;
constexpr std::int64_t smallest_cluster = 5;  // clusters this small or smaller come last
constexpr std::int64_t typicality_neighbours = 20;
constexpr std::int64_t block = 4096;  // rows per GEMM block

/// k-means++ seeding (Arthur & Vassilvitskii 2007) on `sample` [s, d]: the
/// first centre uniformly, each next one with probability ∝ the squared
/// distance to the nearest centre so far.
torch::Tensor seed_centres(const torch::Tensor& sample, std::int64_t clusters,
                           at::Generator& generator) {
  const auto s = sample.size(0);
  auto centres = torch::empty({clusters, sample.size(1)}, sample.options());
  // Every round reuses the same buffers: a fresh [s, d] difference each
  // round cost more in page faults than in arithmetic.
  auto difference = torch::empty_like(sample);
  auto squared = torch::empty({s}, sample.options());
  auto to_new = torch::empty({s}, sample.options().dtype(torch::kDouble));
  const auto distance_to = [&](std::int64_t row) -> const torch::Tensor& {
    at::sub_out(difference, sample, sample[row]);
    difference.mul_(difference);
    at::sum_out(squared, difference, 1);
    return to_new.copy_(squared);
  };
  const auto first = torch::randint(s, {1}, generator, torch::kLong).item<std::int64_t>();
  centres[0] = sample[first];
  auto nearest = distance_to(first).clone();
  for (std::int64_t k = 1; k < clusters; ++k) {
    const auto total = nearest.sum().item<double>();
    // All sample rows already centres (duplicates): any row will do.
    const auto weights = total > 0 ? nearest : torch::ones_like(nearest);
    const auto next = torch::multinomial(weights, 1, false, generator).item<std::int64_t>();
    centres[k] = sample[next];
    at::minimum_out(nearest, nearest, distance_to(next));
  }
  return centres;
}

/// The sum of the rows of `points` [n, d] in each cluster, adding row by
/// row in row order: what index_add_ computes, without its call per row
/// (which cost more than the arithmetic on 60 000 rows).
torch::Tensor sum_by_cluster(const torch::Tensor& points, const torch::Tensor& owner,
                             std::int64_t clusters) {
  const auto d = points.size(1);
  auto sums = torch::zeros({clusters, d}, points.options());
  const auto* row = points.data_ptr<float>();
  const auto* cluster = owner.data_ptr<std::int64_t>();
  auto* sum = sums.data_ptr<float>();
  for (std::int64_t i = 0; i < points.size(0); ++i, row += d) {
    auto* into = sum + cluster[i] * d;
    for (std::int64_t k = 0; k < d; ++k) into[k] += row[k];
  }
  return sums;
}

/// Each row's nearest centre, by ||c||² − 2 x·c in blocks of rows (||x||²
/// is the same for every centre, so it is left out).
torch::Tensor nearest_centres(const torch::Tensor& points, const torch::Tensor& centres) {
  const auto norms = centres.pow(2).sum(1);
  const auto transposed = centres.t().contiguous();
  const auto n = points.size(0);
  auto owner = torch::empty({n}, torch::kLong);
  for (std::int64_t start = 0; start < n; start += block) {
    const auto end = std::min(n, start + block);
    owner.slice(0, start, end) =
        torch::addmm(norms, points.slice(0, start, end), transposed, 1, -2).argmin(1);
  }
  return owner;
}

}  // namespace

std::vector<std::int32_t> kmeans_clusters(const torch::Tensor& points_in, std::int64_t clusters,
                                          std::uint64_t seed, int iterations) {
  const auto points = points_in.to(torch::kCPU, torch::kFloat).contiguous();
  const auto n = points.size(0);
  if (clusters < 1 || clusters > n) {
    throw std::invalid_argument(
        fmt::format("k-means cannot make {} clusters of {} points", clusters, n));
  }
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  // Seeding reads every row once per centre; on a sample of 20 rows per
  // cluster (at least 2 000) it costs little and seeds as well.
  const auto sample_size = std::min(n, std::max<std::int64_t>(2000, 20 * clusters));
  const auto sample =
      sample_size == n ? points
                       : points.index_select(0, torch::randperm(n, generator, torch::kLong)
                                                    .slice(0, 0, sample_size));
  auto centres = seed_centres(sample, clusters, generator);
  const parallel_blas_scope every_core;  // large GEMMs outside Torch's parallel regions
  auto owner = nearest_centres(points, centres);
  for (int round = 0; round < iterations; ++round) {
    const auto sums = sum_by_cluster(points, owner, clusters);
    const auto counts = torch::bincount(owner, {}, clusters).to(torch::kFloat);
    const auto filled = counts > 0;
    // An empty cluster keeps its centre.
    centres = torch::where(filled.unsqueeze(1), sums / counts.clamp_min(1).unsqueeze(1), centres);
    auto moved = nearest_centres(points, centres);
    const auto changed = moved.ne(owner).sum().item<std::int64_t>();
    owner = std::move(moved);
    // Converged, or nearly: the last rounds move a few boundary rows back
    // and forth at the cost of a whole pass each.
    if (changed * 1000 <= n) break;
  }
  const auto* values = owner.data_ptr<std::int64_t>();
  return {values, values + n};
}

torch::Tensor typicality(const torch::Tensor& points_in, std::int64_t neighbours) {
  const auto points = points_in.to(torch::kCPU, torch::kFloat).contiguous();
  const auto m = points.size(0);
  if (neighbours < 1 || neighbours >= m) {
    throw std::invalid_argument(fmt::format(
        "typicality needs 1 to {} neighbours among {} points, got {}", m - 1, m, neighbours));
  }
  const auto norms = points.pow(2).sum(1);
  const auto transposed = points.t().contiguous();
  auto result = torch::empty({m}, torch::kFloat);
  constexpr std::int64_t rows_per_block = 1024;
  for (std::int64_t start = 0; start < m; start += rows_per_block) {
    const auto end = std::min(m, start + rows_per_block);
    auto squared = detail::squared_distances(points.slice(0, start, end), transposed, norms);
    // A point is not its own neighbour.
    squared.diagonal(start).fill_(std::numeric_limits<float>::infinity());
    const auto nearest = std::get<0>(squared.topk(neighbours, 1, /*largest=*/false));
    result.slice(0, start, end) = 1.0 / (nearest.mean(1) + 1e-5);
  }
  return result;
}

std::vector<std::int64_t> typiclust_select(const torch::Tensor& candidates_in,
                                           const torch::Tensor& labelled_in, std::int64_t count,
                                           std::uint64_t seed) {
  const auto points = detail::candidates_then_labelled(candidates_in, labelled_in, count, "typiclust");
  if (count == 0) return {};
  const auto u = candidates_in.size(0);  // rows [0, u) the candidates, then the labelled samples
  const auto l = points.size(0) - u;
  const auto clusters = std::min({l + count, most_clusters, u + l});
  const auto cluster = kmeans_clusters(points, clusters, seed);

  std::vector<std::vector<std::int64_t>> members(static_cast<std::size_t>(clusters));
  std::vector<std::int64_t> labelled_in_cluster(static_cast<std::size_t>(clusters), 0);
  for (std::int64_t row = 0; row < u + l; ++row) {
    const auto c = static_cast<std::size_t>(cluster[static_cast<std::size_t>(row)]);
    members[c].push_back(row);
    if (row >= u) ++labelled_in_cluster[c];
  }
  std::vector<std::int64_t> order;
  for (std::int64_t c = 0; c < clusters; ++c) {
    if (!members[static_cast<std::size_t>(c)].empty()) order.push_back(c);
  }
  // Fewest labels first, then the largest; ties by cluster number.
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    const auto la = labelled_in_cluster[static_cast<std::size_t>(a)];
    const auto lb = labelled_in_cluster[static_cast<std::size_t>(b)];
    if (la != lb) return la < lb;
    return members[static_cast<std::size_t>(a)].size() > members[static_cast<std::size_t>(b)].size();
  });
  // Tiny clusters are outliers' clusters: last, unless there is nothing else.
  std::stable_partition(order.begin(), order.end(), [&](std::int64_t c) {
    return static_cast<std::int64_t>(members[static_cast<std::size_t>(c)].size()) > smallest_cluster;
  });
  const auto large = std::count_if(order.begin(), order.end(), [&](std::int64_t c) {
    return static_cast<std::int64_t>(members[static_cast<std::size_t>(c)].size()) > smallest_cluster;
  });
  if (large > 0) order.resize(static_cast<std::size_t>(large));

  std::vector<std::int64_t> picks;
  picks.reserve(static_cast<std::size_t>(count));
  // Round and round the clusters; a cluster out of candidates is passed by.
  // When every kept cluster is, the tiny ones come back in.
  for (std::size_t turn = 0, idle = 0; static_cast<std::int64_t>(picks.size()) < count; ++turn) {
    if (idle == order.size()) {
      order.clear();
      for (std::int64_t c = 0; c < clusters; ++c) {
        if (!members[static_cast<std::size_t>(c)].empty()) order.push_back(c);
      }
      idle = 0;
    }
    auto& in_cluster = members[static_cast<std::size_t>(order[turn % order.size()])];
    const bool open = std::any_of(in_cluster.begin(), in_cluster.end(),
                                  [&](std::int64_t row) { return row < u; });
    if (!open) {
      ++idle;
      continue;
    }
    idle = 0;
    const auto size = static_cast<std::int64_t>(in_cluster.size());
    const auto neighbours = std::min(typicality_neighbours, size / 2);
    std::int64_t best = -1;
    if (neighbours >= 1) {
      const auto rows = torch::tensor(in_cluster, torch::kLong);
      const auto scores = typicality(points.index_select(0, rows), neighbours);
      const auto* score = scores.data_ptr<float>();
      for (std::int64_t i = 0; i < size; ++i) {  // the first maximum among candidates
        if (in_cluster[static_cast<std::size_t>(i)] < u &&
            (best < 0 || score[i] > score[best])) {
          best = i;
        }
      }
    } else {  // one or two samples: no neighbourhood to measure
      best = std::find_if(in_cluster.begin(), in_cluster.end(),
                          [&](std::int64_t row) { return row < u; }) -
             in_cluster.begin();
    }
    const auto row = in_cluster[static_cast<std::size_t>(best)];
    picks.push_back(row);
    // A taken candidate is labelled from now on: out of the cluster's
    // typicality, as in the paper's code.
    in_cluster.erase(in_cluster.begin() + best);
  }
  return picks;
}

namespace builtin {
void register_typiclust(strategy_registry& registry) {
  registry.add(std::string(al::typiclust_t::name),
               {.select = [](const selector_spec& spec, const selection_inputs& inputs,
                             const std::vector<std::int64_t>& rows, std::int64_t count) {
                 const auto& embedding =
                     detail::required(inputs.outputs->encoder_embedding, "encoder embeddings", spec.name);
                 return detail::to_rows(typiclust_select(detail::rows_of(embedding, rows),
                                                         inputs.labelled_encoder_embedding, count,
                                                         inputs.seed),
                                        rows);
               }});
}
}  // namespace builtin

}  // namespace al::engine
