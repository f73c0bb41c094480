// class_balanced(s, λ): CBAL's greedy solver (Bengar et al. 2022), which
// trades the scorer's preference against the labelled set's class deficits.
//
// O(U·K) memory: the candidates' probabilities, read in place, never a
// candidate × candidate matrix. The greedy is lazy (see lazy_greedy); off
// the CPU the same lazy step runs as float64 tensor code on the device
// (see lazy_greedy_on_device).

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/engine/set_selection.hpp>

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>
#include <stdexcept>

namespace al::engine {

using detail::required;
using detail::rows_of;
using detail::to_rows;

std::vector<double> class_deficits(const std::vector<std::int64_t>& labelled_class_counts,
                                   std::int64_t count) {
  if (labelled_class_counts.empty()) {
    throw std::logic_error(
        "class_balanced needs the labelled set's class counts; the run gave none");
  }
  const auto k = static_cast<std::int64_t>(labelled_class_counts.size());
  const auto labelled =
      std::accumulate(labelled_class_counts.begin(), labelled_class_counts.end(), std::int64_t{0});
  const auto target = (labelled + count) / k;
  std::vector<double> deficit;
  deficit.reserve(labelled_class_counts.size());
  for (auto n : labelled_class_counts) {
    deficit.push_back(static_cast<double>(std::max<std::int64_t>(0, target - n)));
  }
  return deficit;
}

namespace {

/// One candidate's objective, up to a term every candidate shares, and the
/// step it was computed at.
struct stale_value {
  double value;
  std::int64_t position;
  std::int64_t step;
};

/// The objective cost_j + λ·||r − p_j||₁ with r = Ω − Pᵀz is, since
/// |x − y| = x + y − 2·min(x, y),
///   cost_j + λ·(Σ_c r_c + Σ_c p_jc − 2·Σ_c min(r_c, p_jc)).
/// Dropping what every candidate shares (Σ_c r_c, and min(r_c, lo_c) with
/// lo_c the smallest p_jc of any candidate), the greedy step minimises
///   v_j = cost_j + λ·(s_j − 2·Σ_c [min(r_c, p_jc) − min(r_c, lo_c)]),
/// s_j = Σ_c p_jc. Each bracket is 0 once r_c ≤ lo_c (a filled class no
/// longer moves anyone's value), p_jc − lo_c while r_c ≥ p_jc, and in
/// between r_c − lo_c. Each pick lowers every r_c (p ≥ 0), so v_j can only
/// rise: a value computed steps ago is a lower bound of today's. That makes
/// the greedy lazy (as for submodular maximisation, Minoux 1978): take the
/// smallest stored value; if it is stale, recompute it and put it back; the
/// first fresh one at the top is the step's exact argmin, ties to the lower
/// position. Floating point keeps the bound: r_c and every bracket are
/// rounded monotonically, summed in the same class order every time. So
/// instead of O(U·K) per step (hours at 1.28 M candidates and K = 1 000), a
/// step recomputes the few candidates whose stored value comes first: the
/// 10 000 picks of scale_bench's query take 3.9 s there.
template <class Scalar>
std::vector<std::int64_t> lazy_greedy(const double* costs, const Scalar* probs, std::int64_t n,
                                      std::int64_t k, std::vector<double> residual, double lambda,
                                      std::int64_t count) {
  // lowest[c]: the smallest p_jc of any candidate. While r_c ≤ lowest[c],
  // min(r_c, p_jc) = r_c for every j: the class moves every value alike, so
  // its term is taken relative to min(r_c, lowest[c]) — 0 from then on — and
  // a filled class stops making every stored value stale at every step.
  std::vector<double> lowest(static_cast<std::size_t>(k), std::numeric_limits<double>::infinity());
  for (std::int64_t j = 0; j < n; ++j) {
    const Scalar* pj = probs + j * k;
    for (std::int64_t c = 0; c < k; ++c) {
      lowest[static_cast<std::size_t>(c)] = std::min(lowest[static_cast<std::size_t>(c)], double(pj[c]));
    }
  }
  // A negative probability would let a value fall as the deficits fill,
  // and the lazy step would no longer be exact.
  if (std::any_of(lowest.begin(), lowest.end(), [](double p) { return p < 0; })) {
    throw std::invalid_argument("class_balanced: probabilities must not be negative");
  }
  const auto value_of = [&](std::int64_t j) {
    const Scalar* pj = probs + j * k;
    double sum = 0, shared = 0;
    for (std::int64_t c = 0; c < k; ++c) {
      const double pc = pj[c];
      const double rc = residual[static_cast<std::size_t>(c)];
      sum += pc;
      shared += std::min(rc, pc) - std::min(rc, lowest[static_cast<std::size_t>(c)]);
    }
    return costs[j] + lambda * (sum - 2.0 * shared);
  };
  std::vector<stale_value> heap(static_cast<std::size_t>(n));
  at::parallel_for(0, n, 4096, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t j = first; j < last; ++j) heap[static_cast<std::size_t>(j)] = {value_of(j), j, 0};
  });
  // A min-heap by (value, position): ties go to the lower position.
  const auto later = [](const stale_value& x, const stale_value& y) {
    return x.value > y.value || (x.value == y.value && x.position > y.position);
  };
  std::make_heap(heap.begin(), heap.end(), later);

  std::vector<std::int64_t> picks;
  picks.reserve(static_cast<std::size_t>(count));
  for (std::int64_t step = 0; step < count; ++step) {
    for (;;) {
      std::pop_heap(heap.begin(), heap.end(), later);
      auto& top = heap.back();
      if (top.step == step) break;
      top = {value_of(top.position), top.position, step};
      std::push_heap(heap.begin(), heap.end(), later);
    }
    const auto chosen = heap.back().position;
    heap.pop_back();
    picks.push_back(chosen);
    const Scalar* pj = probs + chosen * k;
    for (std::int64_t c = 0; c < k; ++c) residual[static_cast<std::size_t>(c)] -= double(pj[c]);
  }
  return picks;
}

/// lazy_greedy as tensor code on the device of `probs`, in float64. Every
/// candidate's stored value is a lower bound of its value now (values only
/// rise; see lazy_greedy), +∞ once taken. A round recomputes the m
/// candidates with the smallest stored values together; if the best of
/// them (ties to the lower position) is below the smallest stored value
/// left out, no other candidate can beat or tie it, and it is the step's
/// exact argmin. Otherwise the recomputed values are stored and the next
/// round takes twice as many, up to every candidate left. Each round reads
/// back three numbers; the probabilities are read in blocks of rows or by
/// the recomputed rows, never copied to float64 whole.
std::vector<std::int64_t> lazy_greedy_on_device(const torch::Tensor& cost,
                                                const torch::Tensor& probs_in,
                                                const std::vector<double>& deficit,
                                                double lambda, std::int64_t count) {
  if (count == 0) return {};
  const auto device = probs_in.device();
  const auto n = probs_in.size(0);
  const auto as_double = torch::TensorOptions(torch::kFloat64).device(device);
  const auto probs = probs_in.contiguous();
  const auto costs = cost.to(device, torch::kFloat64).reshape({n}).contiguous();
  auto residual = torch::tensor(deficit, torch::kFloat64).to(device);
  const auto lowest = std::get<0>(probs.min(0)).to(torch::kFloat64);  // [K]
  if (lowest.lt(0).any().item<bool>()) {
    throw std::invalid_argument("class_balanced: probabilities must not be negative");
  }
  // v_j = cost_j + λ·(s_j − 2·Σ_c [min(r_c, p_jc) − min(r_c, lo_c)]) of the
  // rows `p` [m, K] (float64) with costs `u` [m].
  const auto values = [&](const torch::Tensor& p, const torch::Tensor& u) {
    const auto shared =
        (torch::minimum(p, residual) - torch::minimum(residual, lowest)).sum(1);
    return u + lambda * (p.sum(1) - 2.0 * shared);
  };
  auto stored = torch::empty({n}, as_double);
  constexpr std::int64_t block = 8192;
  for (std::int64_t start = 0; start < n; start += block) {
    const auto end = std::min(n, start + block);
    stored.slice(0, start, end)
        .copy_(values(probs.slice(0, start, end).to(torch::kFloat64), costs.slice(0, start, end)));
  }
  const auto infinity = std::numeric_limits<double>::infinity();
  // Candidates recomputed in a step's first round: a GPU does 64 rows of K
  // about as fast as one, and a step whose answer is among them ends there.
  constexpr std::int64_t first_round = 64;
  std::vector<std::int64_t> picks;
  picks.reserve(static_cast<std::size_t>(count));
  for (std::int64_t step = 0; step < count; ++step) {
    const auto left = n - step;
    auto m = std::min(first_round, left);
    std::int64_t chosen = -1;
    for (;;) {
      // The m + 1 smallest stored values (a taken row's +∞ when fewer are left).
      const auto [smallest, order] =
          stored.topk(std::min(m + 1, n), 0, /*largest=*/false, /*sorted=*/true);
      const auto rows = order.slice(0, 0, m);
      auto fresh = values(probs.index_select(0, rows).to(torch::kFloat64), costs.index_select(0, rows));
      fresh.masked_fill_(smallest.slice(0, 0, m) == infinity, infinity);  // taken rows stay out
      stored.index_copy_(0, rows, fresh);
      const auto best = fresh.min();
      // The lowest position among the best (positions are exact in float64).
      const auto position =
          torch::where(fresh == best, rows, torch::full_like(rows, n)).min().to(torch::kFloat64);
      const auto bound = m + 1 <= n ? smallest[m] : torch::full({}, infinity, as_double);
      const auto read = torch::stack({best, bound, position}).cpu();
      const auto* numbers = read.data_ptr<double>();
      // m == left: every candidate left was recomputed.
      if (numbers[0] < numbers[1] || m == left) {
        chosen = static_cast<std::int64_t>(numbers[2]);
        break;
      }
      m = std::min(2 * m, left);
    }
    picks.push_back(chosen);
    stored.select(0, chosen).fill_(infinity);
    residual.sub_(probs.select(0, chosen).to(torch::kFloat64));
  }
  return picks;
}

}  // namespace

std::vector<std::int64_t> class_balanced_greedy(const torch::Tensor& cost,
                                                const torch::Tensor& probs,
                                                const std::vector<double>& deficit,
                                                double lambda, std::int64_t count,
                                                selection_path path) {
  const auto n = probs.size(0);
  const auto k = probs.size(1);
  if (cost.numel() != n || static_cast<std::int64_t>(deficit.size()) != k) {
    throw std::invalid_argument(fmt::format(
        "class_balanced: {} costs and {} deficits for probabilities of shape [{}, {}]",
        cost.numel(), deficit.size(), n, k));
  }
  if (count > n || count < 0) {
    throw std::invalid_argument(
        fmt::format("class_balanced cannot pick {} of {} candidates", count, n));
  }
  if (!(lambda >= 0)) {
    throw std::invalid_argument(fmt::format(
        "class_balanced: the weight lambda must be 0 or more, not {}", lambda));
  }
  if (detail::on_tensor_path(probs.device(), path)) {
    return lazy_greedy_on_device(cost, probs, deficit, lambda, count);
  }
  const auto u = cost.to(torch::kCPU, torch::kFloat64).contiguous();
  // Read in place when already float32 or float64 on the CPU: a float64 copy
  // of [1.28 M, 1 000] probabilities would be 10 GB.
  if (probs.scalar_type() == torch::kFloat64) {
    const auto p = probs.to(torch::kCPU).contiguous();
    return lazy_greedy(u.data_ptr<double>(), p.data_ptr<double>(), n, k, deficit, lambda, count);
  }
  const auto p = probs.to(torch::kCPU, torch::kFloat).contiguous();
  return lazy_greedy(u.data_ptr<double>(), p.data_ptr<float>(), n, k, deficit, lambda, count);
}

std::vector<std::int64_t> class_balanced_select(const selector_spec& spec,
                                                const selection_inputs& inputs,
                                                const std::vector<std::int64_t>& rows,
                                                std::int64_t count) {
  const auto& probs = required(inputs.outputs->probs, "probabilities", "class_balanced");
  // Larger scores are preferred, so the cost is the negated score: for
  // entropy, U_j = Σ p log p as in the paper.
  const auto cost = -score_rows(spec.inner.at(0), inputs, rows).to(torch::kFloat64);
  const auto deficit = class_deficits(inputs.labelled_class_counts, count);
  return to_rows(class_balanced_greedy(cost, rows_of(probs, rows), deficit, spec.parameter, count,
                                       inputs.path),
                 rows);
}

namespace builtin {
void register_class_balanced(strategy_registry& registry) {
  registry.add("class_balanced", {.select = class_balanced_select});
}
}  // namespace builtin

}  // namespace al::engine
