// coreset: greedy k-center on the embeddings (Sener & Savarese 2018), from
// the labelled set: on the CPU with triangle-inequality pruning, elsewhere
// as blocked distance GEMMs on the embeddings' device.

#include "../select/candidate_rows.hpp"
#include "../select/nearest_centre.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/set_selection.hpp>
#include <al/engine/threads.hpp>
#include <al/strategy/coreset.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace al::engine {
namespace {

/// Rows of the candidates, then rows of the labelled centres, as one index space.
struct two_matrix_distance {
  const float* candidates;
  const float* centres;
  std::int64_t candidate_rows;
  std::int64_t dims;

  const float* row(std::int64_t r) const {
    return r < candidate_rows ? candidates + r * dims : centres + (r - candidate_rows) * dims;
  }
  float operator()(std::int64_t a, std::int64_t b) const {
    return std::sqrt(detail::squared_distance(row(a), row(b), dims));
  }
};

/// Nearest labelled centre of every candidate by blocked GEMM: ||u − c||² =
/// ||u||² + (||c||² − 2·u·c), a block of rows at a time (memory O(block·L)),
/// the bracket minimised in one pass over each block of dot products.
void nearest_by_gemm(const torch::Tensor& candidates, const torch::Tensor& centres,
                     std::vector<float>& nearest, std::vector<std::int32_t>& owner) {
  constexpr std::int64_t block = 4096;  // fastest GEMM shape measured here
  const auto centres_t = centres.t().contiguous();
  const auto centre_norms = centres.pow(2).sum(1).contiguous();
  const auto n = candidates.size(0);
  const parallel_blas_scope every_core;  // one large GEMM at a time: OpenBLAS spreads it
  for (std::int64_t start = 0; start < n; start += block) {
    const auto end = std::min(n, start + block);
    const auto rows = candidates.slice(0, start, end);
    const auto dots = torch::mm(rows, centres_t).contiguous();
    detail::nearest_from_dots(dots.data_ptr<float>(), centre_norms.data_ptr<float>(), end - start,
                              centres.size(0), nearest.data() + start, owner.data() + start);
    // ||u||² a block at a time too: no [U, d] temporary.
    const auto row_norms = rows.pow(2).sum(1).contiguous();
    const auto* norms = row_norms.data_ptr<float>();
    for (std::int64_t i = start; i < end; ++i) {
      nearest[static_cast<std::size_t>(i)] =
          std::sqrt(std::max(0.0f, norms[i - start] + nearest[static_cast<std::size_t>(i)]));
    }
  }
}

/// ||u||² of every row of `points`, a block of rows at a time: no [U, d]
/// temporary (2.4 GiB at 1.28 M × 512).
torch::Tensor row_squared_norms(const torch::Tensor& points) {
  constexpr std::int64_t block = 65536;
  const auto n = points.size(0);
  auto out = torch::empty({n}, points.options());
  for (std::int64_t start = 0; start < n; start += block) {
    const auto end = std::min(n, start + block);
    out.slice(0, start, end).copy_(points.slice(0, start, end).pow(2).sum(1));
  }
  return out;
}

/// The greedy as tensor code on the candidates' device. The squared
/// distance to the nearest centre is one [U] vector there; a pick is its
/// argmax (first maximum: ties to the lower position), and the new centre
/// lowers it through ||u − x||² = ||u||² + ||x||² − 2·u·x, one
/// matrix-vector product over the candidates. Picked rows hold −1, below
/// any distance, so they are never picked again. Nothing is read back per
/// pick: the picks gather on the device and are copied once. Without
/// pruning every pick reads the whole embedding, which a GPU's bandwidth
/// affords; on the CPU the pruned scan is faster.
std::vector<std::int64_t> k_center_greedy_on_device(const torch::Tensor& candidates_in,
                                                    const torch::Tensor& centres_in,
                                                    std::int64_t count) {
  const auto device = candidates_in.device();
  const auto candidates = candidates_in.to(torch::kFloat).contiguous();
  const auto centres = centres_in.to(device, torch::kFloat).contiguous();
  const auto n = candidates.size(0);
  const auto labelled = centres.size(0);
  if (count == 0) return {};
  // On the CPU (tests, benchmarks) the GEMMs and products are OpenBLAS's,
  // which gets every core only inside this scope.
  std::optional<parallel_blas_scope> every_core;
  if (device.is_cpu()) every_core.emplace();
  const auto norms = row_squared_norms(candidates);
  auto picks = torch::empty({count}, torch::TensorOptions(torch::kLong).device(device));
  torch::Tensor nearest;  // [U] squared distance to the nearest centre
  std::int64_t picked = 0;
  if (labelled > 0) {
    // Rows per block: about 16 M distances at a time (64 MiB), whatever L.
    const auto block = std::max<std::int64_t>(1024, (std::int64_t{1} << 24) / labelled);
    const auto centres_t = centres.t().contiguous();
    const auto centre_norms = row_squared_norms(centres);
    nearest = torch::empty({n}, candidates.options());
    for (std::int64_t start = 0; start < n; start += block) {
      const auto end = std::min(n, start + block);
      // ||c||² − 2·u·c in one GEMM; ||u||² is the same for the whole row.
      const auto partial =
          torch::addmm(centre_norms, candidates.slice(0, start, end), centres_t, 1, -2);
      nearest.slice(0, start, end)
          .copy_((std::get<0>(partial.min(1)) + norms.slice(0, start, end)).clamp_min_(0));
    }
  } else {
    // No labelled set: start from the candidate with the largest norm.
    const auto first = candidates.norm(2, 1).argmax().view({1});
    picks.slice(0, 0, 1).copy_(first);
    const auto centre = candidates.index_select(0, first).squeeze(0);
    nearest = torch::addmv(norms, candidates, centre, 1, -2).add_(centre.dot(centre)).clamp_min_(0);
    nearest.index_fill_(0, first, -1.0f);
    picked = 1;
  }
  for (; picked < count; ++picked) {
    const auto best = nearest.argmax().view({1});
    picks.slice(0, picked, picked + 1).copy_(best);
    if (picked + 1 == count) break;  // the last centre moves nothing that is read
    const auto centre = candidates.index_select(0, best).squeeze(0);
    const auto to_centre =
        torch::addmv(norms, candidates, centre, 1, -2).add_(centre.dot(centre)).clamp_min_(0);
    nearest = torch::minimum(nearest, to_centre);  // −1 stays −1
    nearest.index_fill_(0, best, -1.0f);
  }
  return detail::to_vector(picks);
}

}  // namespace

std::vector<std::int64_t> k_center_greedy(const torch::Tensor& candidates_in,
                                          const torch::Tensor& centres_in, std::int64_t count,
                                          selection_path path) {
  const auto n = candidates_in.size(0);
  if (count > n || count < 0) {
    throw std::invalid_argument(
        fmt::format("coreset cannot pick {} of {} candidates", count, n));
  }
  if (centres_in.size(0) > 0 && centres_in.size(1) != candidates_in.size(1)) {
    throw std::invalid_argument("coreset: labelled and unlabelled embeddings differ in width");
  }
  if (detail::on_tensor_path(candidates_in.device(), path)) {
    return k_center_greedy_on_device(candidates_in, centres_in, count);
  }
  const auto candidates = candidates_in.to(torch::kCPU, torch::kFloat).contiguous();
  const auto centres = centres_in.to(torch::kCPU, torch::kFloat).contiguous();
  two_matrix_distance distance{candidates.data_ptr<float>(), centres.data_ptr<float>(), n,
                               candidates.size(1)};
  detail::nearest_centre_tracker tracker(n, distance);
  std::vector<bool> picked(static_cast<std::size_t>(n), false);
  std::vector<std::int64_t> picks;
  picks.reserve(static_cast<std::size_t>(count));

  if (centres.size(0) > 0) {
    std::vector<float> nearest(static_cast<std::size_t>(n));
    std::vector<std::int32_t> owner(static_cast<std::size_t>(n));
    nearest_by_gemm(candidates, centres, nearest, owner);
    std::vector<std::int64_t> centre_rows(static_cast<std::size_t>(centres.size(0)));
    for (std::size_t k = 0; k < centre_rows.size(); ++k) centre_rows[k] = n + static_cast<std::int64_t>(k);
    tracker.start(std::move(centre_rows), std::move(nearest), std::move(owner));
  } else if (count > 0) {
    // No labelled set: start from the candidate with the largest norm.
    const auto first = candidates.norm(2, 1).argmax().item<std::int64_t>();
    tracker.start_from_point(first);
    picked[static_cast<std::size_t>(first)] = true;
    picks.push_back(first);
  }

  while (static_cast<std::int64_t>(picks.size()) < count) {
    const auto& nearest = tracker.nearest();
    std::int64_t best = -1;
    float best_distance = -1.0f;
    for (std::int64_t i = 0; i < n; ++i) {  // first maximum wins ties
      if (!picked[static_cast<std::size_t>(i)] && nearest[static_cast<std::size_t>(i)] > best_distance) {
        best_distance = nearest[static_cast<std::size_t>(i)];
        best = i;
      }
    }
    picked[static_cast<std::size_t>(best)] = true;
    picks.push_back(best);
    tracker.add_centre(best);
  }
  return picks;
}

namespace builtin {
void register_coreset(strategy_registry& registry) {
  registry.add(std::string(al::coreset_t::name),
               {.select = [](const selector_spec& spec, const selection_inputs& inputs,
                             const std::vector<std::int64_t>& rows, std::int64_t count) {
                 const auto& embedding =
                     detail::required(inputs.outputs->embedding, "embeddings", spec.name);
                 return detail::to_rows(k_center_greedy(detail::rows_of(embedding, rows),
                                                        inputs.labelled_embedding, count,
                                                        inputs.path),
                                        rows);
               }});
}
}  // namespace builtin

}  // namespace al::engine
