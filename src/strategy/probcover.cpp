// probcover: ProbCover (Yehuda, Dekel, Hacohen & Weinshall, NeurIPS 2022) —
// greedy max coverage on the graph of δ-balls of the embedding, δ from the
// purity rule. The graph is built in row blocks and kept as compressed rows
// (4 bytes an edge); the greedy keeps every candidate's count of uncovered
// neighbours and lowers it as points get covered, O(edges) in all.

#include "../select/candidate_rows.hpp"
#include "../select/embedding_points.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/set_selection.hpp>
#include <al/engine/threads.hpp>
#include <al/strategy/probcover.hpp>

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace al::engine {
namespace {

constexpr double default_purity = 0.95;
constexpr std::int64_t purity_sample = 1000;
constexpr std::int64_t rows_per_block = 512;

using detail::squared_distances;

/// Each point's cell: k-means (5 rounds) on a sample of 64 points per cell,
/// then every point to the nearest of those centres. Cells only prune the
/// search, never decide an edge, so a sample's centres serve as well as the
/// whole pool's, for a fraction of the passes over it.
std::vector<std::int32_t> coarse_cells(const torch::Tensor& points, std::int64_t cells) {
  const auto n = points.size(0);
  const auto sample_size = std::min(n, 64 * cells);
  if (sample_size == n) return kmeans_clusters(points, cells, 0, /*iterations=*/5);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
  const auto sample =
      points.index_select(0, torch::randperm(n, generator, torch::kLong).slice(0, 0, sample_size));
  const auto sample_cell = kmeans_clusters(sample, cells, 0, /*iterations=*/5);
  const auto owner = torch::tensor(std::vector<std::int64_t>(sample_cell.begin(), sample_cell.end()));
  const auto counts = torch::bincount(owner, {}, cells).to(torch::kFloat).clamp_min(1);
  const auto centres = torch::zeros({cells, points.size(1)}).index_add_(0, owner, sample) /
                       counts.unsqueeze(1);
  const auto centres_t = centres.t().contiguous();
  const auto centre_norms = centres.pow(2).sum(1);
  std::vector<std::int32_t> cell_of(static_cast<std::size_t>(n));
  const parallel_blas_scope every_core;
  for (std::int64_t start = 0; start < n; start += 4096) {
    const auto end = std::min(n, start + 4096);
    const auto nearest =
        squared_distances(points.slice(0, start, end), centres_t, centre_norms).argmin(1).contiguous();
    const auto* cell = nearest.data_ptr<std::int64_t>();
    for (auto row = start; row < end; ++row) {
      cell_of[static_cast<std::size_t>(row)] = static_cast<std::int32_t>(cell[row - start]);
    }
  }
  return cell_of;
}

}  // namespace

double purity_radius(const torch::Tensor& points_in, std::int64_t classes, double purity,
                     std::uint64_t seed) {
  const auto points = points_in.to(torch::kCPU, torch::kFloat).contiguous();
  const auto n = points.size(0);
  if (classes < 2 || classes > n) {
    throw std::invalid_argument(fmt::format(
        "probcover's purity rule needs from 2 to {} classes (one k-means cluster each), got {}",
        n, classes));
  }
  if (!(purity > 0 && purity < 1)) {
    throw std::invalid_argument(fmt::format("purity must be in (0, 1), got {}", purity));
  }
  const auto cluster_of = kmeans_clusters(points, classes, seed);
  const auto cluster = torch::tensor(std::vector<std::int64_t>(cluster_of.begin(), cluster_of.end()));
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed + 1);
  const auto sample =
      torch::randperm(n, generator, torch::kLong).slice(0, 0, std::min(n, purity_sample));
  const auto sample_points = points.index_select(0, sample);
  const auto sample_cluster = cluster.index_select(0, sample);
  // Each sampled point's squared distance to the nearest point of another
  // cluster, over blocks of columns.
  auto nearest_other = torch::full({sample.size(0)}, std::numeric_limits<float>::infinity());
  const parallel_blas_scope every_core;
  constexpr std::int64_t columns_per_block = 8192;
  for (std::int64_t start = 0; start < n; start += columns_per_block) {
    const auto end = std::min(n, start + columns_per_block);
    const auto columns = points.slice(0, start, end);
    auto squared = squared_distances(sample_points, columns.t(), columns.pow(2).sum(1));
    squared.masked_fill_(sample_cluster.unsqueeze(1) == cluster.slice(0, start, end).unsqueeze(0),
                         std::numeric_limits<float>::infinity());
    nearest_other = torch::minimum(nearest_other, std::get<0>(squared.min(1)));
  }
  // A ball of radius δ is pure when δ ≤ that distance; the largest δ with a
  // fraction `purity` of pure balls is the (1 − purity) quantile.
  const auto radius = nearest_other.sqrt().to(torch::kDouble).quantile(1 - purity).item<double>();
  if (!std::isfinite(radius) || radius <= 0) {
    throw std::invalid_argument(fmt::format(
        "probcover's purity rule found no radius (every point has a twin in another cluster); "
        "the embedding holds duplicates across its {} clusters",
        classes));
  }
  return radius;
}

neighbourhood_graph ball_graph(const torch::Tensor& points_in, double delta,
                               std::int64_t most_edges) {
  const auto points = points_in.to(torch::kCPU, torch::kFloat).contiguous();
  const auto n = points.size(0);
  if (!(delta > 0) || !std::isfinite(delta)) {
    throw std::invalid_argument(fmt::format("the ball radius δ must be positive, got {}", delta));
  }
  // Cells: a coarse k-means, the points sorted by cell. Only the exact
  // distances decide the edges; the cells only skip pairs that cannot be
  // closer than δ: ||x − y|| ≥ ||x − c_b|| − r_b for y in cell b of centre
  // c_b and radius r_b.
  const auto cells = std::min<std::int64_t>(n, std::max<std::int64_t>(1, n / 256));
  const auto cell_of = coarse_cells(points, cells);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return cell_of[static_cast<std::size_t>(a)] < cell_of[static_cast<std::size_t>(b)];
  });
  std::vector<std::int64_t> cell_start(static_cast<std::size_t>(cells) + 1, 0);
  for (const auto c : cell_of) ++cell_start[static_cast<std::size_t>(c) + 1];
  std::partial_sum(cell_start.begin(), cell_start.end(), cell_start.begin());
  const auto by_cell = points.index_select(0, torch::tensor(order));
  const auto owner = torch::tensor(std::vector<std::int64_t>(cell_of.begin(), cell_of.end()))
                         .index_select(0, torch::tensor(order));
  const auto counts = torch::bincount(owner, {}, cells).to(torch::kFloat).clamp_min(1);
  const auto centres =
      torch::zeros({cells, points.size(1)}).index_add_(0, owner, by_cell) / counts.unsqueeze(1);
  // Each cell's radius: its farthest member's distance from the centre.
  const auto spread = (by_cell - centres.index_select(0, owner)).norm(2, 1).contiguous();
  auto radius = torch::zeros({cells});
  {
    const auto* distance = spread.data_ptr<float>();
    auto* widest = radius.data_ptr<float>();
    for (std::int64_t cell = 0; cell < cells; ++cell) {
      for (auto k = cell_start[static_cast<std::size_t>(cell)]; k < cell_start[static_cast<std::size_t>(cell) + 1]; ++k) {
        widest[cell] = std::max(widest[cell], distance[k]);
      }
    }
  }
  const auto centres_t = centres.t().contiguous();
  const auto centre_norms = centres.pow(2).sum(1);
  const auto limit = static_cast<float>(delta * delta);

  std::vector<std::vector<std::int32_t>> neighbours(static_cast<std::size_t>(n));
  std::int64_t edges = 0;
  const parallel_blas_scope every_core;
  for (std::int64_t cell = 0; cell < cells; ++cell) {
    for (auto first = cell_start[static_cast<std::size_t>(cell)],
              end = cell_start[static_cast<std::size_t>(cell) + 1];
         first < end; first += rows_per_block) {
      const auto last = std::min(end, first + rows_per_block);
      const auto rows = by_cell.slice(0, first, last);
      // The cells some row of the block may reach.
      const auto to_centres = squared_distances(rows, centres_t, centre_norms).sqrt_();
      const auto reach =
          // (1% slack against rounding in the bound: the exact test below decides)
          std::get<0>((to_centres - radius.unsqueeze(0)).min(0)).lt(delta * 1.01).contiguous();
      const auto* reached = reach.data_ptr<bool>();
      // The graph is symmetric, so each pair is measured once: from the
      // block, its own rows and the rest of its cell, then the later cells
      // it reaches; a pair found with the column after the block holds both
      // edges. (Within the block the square holds both orders already.)
      std::vector<std::int64_t> columns;
      for (auto k = first; k < end; ++k) columns.push_back(k);
      for (std::int64_t b = cell + 1; b < cells; ++b) {
        if (!reached[b]) continue;
        for (auto k = cell_start[static_cast<std::size_t>(b)]; k < cell_start[static_cast<std::size_t>(b) + 1]; ++k) {
          columns.push_back(k);
        }
      }
      const auto column_index = torch::tensor(columns);
      const auto others = by_cell.index_select(0, column_index);
      const auto inside =
          squared_distances(rows, others.t(), others.pow(2).sum(1)).lt(limit).nonzero().contiguous();
      const auto* pairs = inside.data_ptr<std::int64_t>();
      const auto block_rows = last - first;
      for (std::int64_t e = 0; e < inside.size(0); ++e) {
        const auto x = order[static_cast<std::size_t>(first + pairs[2 * e])];
        const auto y = order[static_cast<std::size_t>(columns[static_cast<std::size_t>(pairs[2 * e + 1])])];
        neighbours[static_cast<std::size_t>(x)].push_back(static_cast<std::int32_t>(y));
        if (pairs[2 * e + 1] >= block_rows) {
          neighbours[static_cast<std::size_t>(y)].push_back(static_cast<std::int32_t>(x));
          ++edges;
        }
      }
      edges += inside.size(0);
      if (edges > most_edges) {
        throw std::invalid_argument(fmt::format(
            "the δ-ball graph with δ = {:.4g} holds more than {} edges: δ is so large that a "
            "ball covers much of the pool; give a smaller δ",
            delta, most_edges));
      }
    }
  }
  neighbourhood_graph graph;
  graph.offsets.reserve(static_cast<std::size_t>(n) + 1);
  graph.offsets.push_back(0);
  graph.columns.reserve(static_cast<std::size_t>(edges) + static_cast<std::size_t>(n));
  for (std::int64_t x = 0; x < n; ++x) {
    auto& mine = neighbours[static_cast<std::size_t>(x)];
    // Rounding must not leave a point out of its own ball.
    if (std::find(mine.begin(), mine.end(), static_cast<std::int32_t>(x)) == mine.end()) {
      mine.push_back(static_cast<std::int32_t>(x));
    }
    std::sort(mine.begin(), mine.end());
    graph.columns.insert(graph.columns.end(), mine.begin(), mine.end());
    graph.offsets.push_back(static_cast<std::int64_t>(graph.columns.size()));
    std::vector<std::int32_t>().swap(mine);
  }
  return graph;
}

std::vector<std::int64_t> probcover_select(const torch::Tensor& candidates_in,
                                           const torch::Tensor& labelled_in, std::int64_t count,
                                           std::int64_t classes, double delta, std::uint64_t seed,
                                           double* delta_used) {
  const auto points = detail::candidates_then_labelled(candidates_in, labelled_in, count, "probcover");
  const auto u = candidates_in.size(0);
  const auto n = points.size(0);  // rows [0, u) the candidates, then the labelled samples
  if (n > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument("probcover: more than 2^31 points");
  }
  const auto radius = delta > 0 ? delta : purity_radius(points, classes, default_purity, seed);
  if (delta_used != nullptr) *delta_used = radius;
  if (count == 0) return {};
  const auto graph = ball_graph(points, radius);
  const auto neighbours = [&](std::int64_t row) {
    const auto* first = graph.columns.data() + graph.offsets[static_cast<std::size_t>(row)];
    return std::pair{first, graph.columns.data() + graph.offsets[static_cast<std::size_t>(row) + 1]};
  };
  // gain[v]: v's neighbours not yet covered. The graph is symmetric, so a
  // point y's neighbours are exactly the balls that hold y.
  std::vector<std::int64_t> gain(static_cast<std::size_t>(n));
  for (std::int64_t v = 0; v < n; ++v) {
    gain[static_cast<std::size_t>(v)] = graph.offsets[static_cast<std::size_t>(v) + 1] -
                                        graph.offsets[static_cast<std::size_t>(v)];
  }
  std::vector<bool> covered(static_cast<std::size_t>(n), false);
  const auto cover_ball = [&](std::int64_t centre) {
    const auto [first, last] = neighbours(centre);
    for (const auto* y = first; y != last; ++y) {
      if (covered[static_cast<std::size_t>(*y)]) continue;
      covered[static_cast<std::size_t>(*y)] = true;
      const auto [holders_first, holders_last] = neighbours(*y);
      for (const auto* v = holders_first; v != holders_last; ++v) --gain[static_cast<std::size_t>(*v)];
    }
  };
  for (std::int64_t row = u; row < n; ++row) cover_ball(row);

  std::vector<bool> taken(static_cast<std::size_t>(u), false);
  std::vector<std::int64_t> picks;
  picks.reserve(static_cast<std::size_t>(count));
  while (static_cast<std::int64_t>(picks.size()) < count) {
    std::int64_t best = -1;
    for (std::int64_t v = 0; v < u; ++v) {  // the first maximum wins ties
      if (!taken[static_cast<std::size_t>(v)] &&
          (best < 0 || gain[static_cast<std::size_t>(v)] > gain[static_cast<std::size_t>(best)])) {
        best = v;
      }
    }
    if (gain[static_cast<std::size_t>(best)] == 0) break;  // all covered
    taken[static_cast<std::size_t>(best)] = true;
    picks.push_back(best);
    cover_ball(best);
  }
  if (static_cast<std::int64_t>(picks.size()) < count) {
    // Nothing left to cover: the rest at random, as the paper's code does.
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed + 2);
    const auto order = torch::randperm(u, generator, torch::kLong);
    const auto* drawn = order.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < u && static_cast<std::int64_t>(picks.size()) < count; ++i) {
      if (!taken[static_cast<std::size_t>(drawn[i])]) {
        taken[static_cast<std::size_t>(drawn[i])] = true;
        picks.push_back(drawn[i]);
      }
    }
  }
  return picks;
}

namespace builtin {
void register_probcover(strategy_registry& registry) {
  registry.add(std::string(al::probcover_t::name),
               {.select = [](const selector_spec& spec, const selection_inputs& inputs,
                             const std::vector<std::int64_t>& rows, std::int64_t count) {
                 const auto& embedding =
                     detail::required(inputs.outputs->encoder_embedding, "encoder embeddings", spec.name);
                 const auto classes = static_cast<std::int64_t>(inputs.labelled_class_counts.size());
                 return detail::to_rows(
                     probcover_select(detail::rows_of(embedding, rows), inputs.labelled_encoder_embedding,
                                      count, classes, 0, inputs.seed),
                     rows);
               }});
}
}  // namespace builtin

}  // namespace al::engine
