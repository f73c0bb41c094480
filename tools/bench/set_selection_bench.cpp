// Coreset and BADGE at the scale the Python toolkits fail at: pick 1 000
// from a 60 000 × 512 float embedding (coreset: with 1 000 labelled centres;
// badge: K = 10); TypiClust from the same pool at small budgets and at its
// cap of 500 clusters. Also the naive full-distance-matrix coreset on a size
// where the matrix fits, for the ratio.
//
//   set_selection_bench [--uniform] [--rows N] [--device cpu|cuda|cuda:N] [--tensor-path]
// Embeddings are clustered like a trained network's features (100 clusters in
// a 32-dimensional subspace, ReLU), or i.i.d. Gaussian with --uniform, where
// no pruning can help: all distances are nearly equal. --rows sets the pool
// (60 000 unless given). --device puts the embedding and probabilities on
// that device, where coreset and BADGE then select (their tensor code);
// --tensor-path runs that tensor code on the CPU too. Either way only
// coreset and BADGE run: the other selectors select on the CPU.

#include <CLI/CLI.hpp>
#include <al/engine/set_selection.hpp>
#include <al/engine/threads.hpp>
#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <string>
#include <string_view>

#include "device.hpp"
#include "process_memory.hpp"
#include "stopwatch.hpp"

namespace {

using al::bench::clock_type;
using al::bench::seconds_since;

/// Resident memory of this process in MiB.
double resident_mib() { return al::bench::status_mib("VmRSS:"); }

torch::Tensor embedding(std::int64_t n, std::int64_t d, bool uniform) {
  if (uniform) return torch::randn({n, d});
  const auto basis = torch::randn({32, d});
  const auto centres = torch::randn({100, 32}) * 3;
  const auto which = torch::randint(0, 100, {n}, torch::kLong);
  return torch::relu(torch::matmul(centres.index_select(0, which) + torch::randn({n, 32}) * 0.5, basis));
}

}  // namespace

int main(int argc, char** argv) {
  bool uniform = false;
  bool tensor_path = false;
  std::int64_t n = 60000;
  std::string device_name = "cpu";
  CLI::App app{"coreset and BADGE: 1 000 picks from 60 000 x 512 embeddings"};
  app.add_flag("--uniform", uniform, "uniform random embeddings instead of clustered ones");
  app.add_option("--rows", n, "candidates in the pool (60 000)")->check(CLI::PositiveNumber);
  app.add_option("--device", device_name, "cpu, cuda or cuda:N: where the embedding is put");
  app.add_flag("--tensor-path", tensor_path,
               "coreset and BADGE by their tensor code even on the CPU");
  CLI11_PARSE(app, argc, argv);
  const auto device = al::engine::resolve_device(device_name);
  // Off the CPU the tensor code runs anyway; on it, only when asked.
  const auto path = tensor_path ? al::engine::selection_path::tensor
                                : al::engine::selection_path::automatic;
  const bool cpu_code = device.is_cpu() && !tensor_path;
  al::engine::set_torch_threads(0);
  torch::manual_seed(0);
  const std::int64_t d = 512, labelled = 1000, picks = 1000, classes = 10;
  // Made on the CPU from the same seed whatever the device, then moved: the
  // same data on every device.
  const auto pool = embedding(n, d, uniform).to(device);
  const auto centres = embedding(labelled, d, uniform).to(device);
  const double embedding_mib = double(n) * d * 4 / (1 << 20);
  fmt::print("{} embedding {} x {} ({:.0f} MiB), torch threads {}{}\n",
             uniform ? "i.i.d. Gaussian" : "clustered", n, d, embedding_mib, torch::get_num_threads(),
             cpu_code ? "" : fmt::format(", on {}, tensor code", device.str()));

  al::bench::synchronize(device);
  auto start = clock_type::now();
  // The tensor code returns at once for zero picks: it times one pick, the
  // nearest centres and one argmax.
  al::engine::k_center_greedy(pool, centres, cpu_code ? 0 : 1, path);
  al::bench::synchronize(device);
  fmt::print("coreset: initial nearest centres by blocked GEMM alone: {:.2f} s\n", seconds_since(start));
  auto rss = resident_mib();
  start = clock_type::now();
  const auto coreset = al::engine::k_center_greedy(pool, centres, picks, path);
  al::bench::synchronize(device);
  fmt::print("coreset: {} picks with {} labelled centres in {:.2f} s, resident memory +{:.0f} MiB\n",
             coreset.size(), labelled, seconds_since(start), resident_mib() - rss);

  // Probabilities from a linear head on the embedding, as a model gives them:
  // samples of one cluster get similar gradient embeddings.
  const auto head = torch::randn({d, classes}) / std::sqrt(double(d));
  const auto logits = torch::matmul(pool.cpu(), head);
  const auto probs = torch::softmax(logits / logits.std() * 2, 1).to(device);
  rss = resident_mib();
  al::bench::synchronize(device);
  start = clock_type::now();
  const auto badge = al::engine::badge_kmeans_pp(probs, pool, picks, 0, path);
  al::bench::synchronize(device);
  fmt::print("badge:   {} picks, K = {}, in {:.2f} s, resident memory +{:.0f} MiB "
             "(the N x K*d gradient matrix would be {:.0f} MiB)\n",
             badge.size(), classes, seconds_since(start), resident_mib() - rss,
             double(n) * classes * d * 4 / (1 << 20));
  if (!cpu_code) return 0;  // the rest select on the CPU

  // TypiClust at the small budgets it is for (few clusters, so large ones:
  // the typicality of a cluster costs its size squared) and at its cap of
  // 500 clusters.
  for (const auto [known, query] : {std::pair<std::int64_t, std::int64_t>{10, 20}, {190, 10},
                                    {1000, 1000}}) {
    rss = resident_mib();
    start = clock_type::now();
    const auto typical = al::engine::typiclust_select(pool, centres.slice(0, 0, known), query, 0);
    fmt::print("typiclust: {} picks with {} labelled ({} clusters) in {:.2f} s, resident memory "
               "+{:.0f} MiB\n",
               typical.size(), known, std::min<std::int64_t>(known + query, 500),
               seconds_since(start), resident_mib() - rss);
  }

  // ProbCover at the same small budgets, δ by the purity rule (K = 10): the
  // whole selection, then its two costly parts again on their own (the
  // radius; the graph, built in row blocks with far cells skipped).
  for (const auto [known, query] : {std::pair<std::int64_t, std::int64_t>{10, 20}, {190, 10}}) {
    const auto labelled_centres = centres.slice(0, 0, known);
    rss = resident_mib();
    start = clock_type::now();
    double radius = 0;
    const auto covering =
        al::engine::probcover_select(pool, labelled_centres, query, classes, 0, 0, &radius);
    const auto total = seconds_since(start);
    const auto memory = resident_mib() - rss;
    const auto points = torch::cat({pool, labelled_centres});
    start = clock_type::now();
    al::engine::purity_radius(points, classes, 0.95, 0);
    const auto radius_seconds = seconds_since(start);
    start = clock_type::now();
    const auto graph = al::engine::ball_graph(points, radius);
    const auto graph_seconds = seconds_since(start);
    fmt::print("probcover: {} picks with {} labelled in {:.2f} s (radius {:.3f}: {:.2f} s; graph: "
               "{:.2f} s, {} edges, {:.1f} per point), resident memory +{:.0f} MiB\n",
               covering.size(), known, total, radius, radius_seconds, graph_seconds,
               graph.columns.size(), double(graph.columns.size()) / double(points.size(0)), memory);
  }

  // The naive version: one full distance matrix, on a size where it fits.
  const std::int64_t small = 10000;
  const auto small_pool = pool.slice(0, 0, small);
  rss = resident_mib();
  start = clock_type::now();
  {
    // Its one large GEMM gets every core, as alpipe's nearest-centre GEMM does.
    const al::engine::parallel_blas_scope every_core;
    auto all = torch::cdist(small_pool, torch::cat({centres, small_pool}));  // [N, L+N]
    auto nearest = std::get<0>(all.slice(1, 0, labelled).min(1));
    for (std::int64_t k = 0; k < picks; ++k) {
      const auto j = nearest.argmax().item<std::int64_t>();
      nearest = torch::minimum(nearest, all.select(1, labelled + j));
    }
    fmt::print("naive full-matrix coreset, {} x {}: {:.2f} s, matrix {:.0f} MiB",
               small, labelled + small, seconds_since(start), double(all.numel()) * 4 / (1 << 20));
  }
  start = clock_type::now();
  al::engine::k_center_greedy(small_pool, centres, picks);
  fmt::print("; alpipe on the same: {:.2f} s\n", seconds_since(start));
}
