// Selection at the scale of an ImageNet pool: one query of 10 000 from
// 1.28 M candidates with 512-float features and 1 000 classes, through the
// same select_rows a run uses, for the words that matter there:
// balanced(boundary) (BASE), class_balanced(entropy, 0.6) (CBAL), coreset,
// badge, and prefilter(margin, 10) >> coreset or badge. Prints the time and
// the peak memory each query added on top of the pool's outputs.
//
//   scale_bench [--pool N] [--classes K] [--query B] [--labelled L]
//               [--dims D] [--words coreset,badge,...]
// Defaults: N = 1 280 000, K = 1 000, B = 10 000, L = 10 000, D = 512.
//
// The features are synthetic but shaped like a trained network's: one
// cluster per class in a 64-dimensional subspace, through a ReLU; the head is
// the class means, so most predictions are right and the rest are confused
// between nearby classes, as a real model's are. The labelled set (coreset's
// first centres, CBAL's deficits) is L samples drawn from the same classes,
// skewed 3:1 from the first class to the last.

#include <CLI/CLI.hpp>
#include <al/engine/set_selection.hpp>
#include <al/engine/training.hpp>
#include <al/strategy/badge.hpp>
#include <al/strategy/balanced.hpp>
#include <al/strategy/boundary.hpp>
#include <al/strategy/class_balanced.hpp>
#include <al/strategy/coreset.hpp>
#include <al/strategy/entropy.hpp>
#include <al/strategy/margin.hpp>
#include <al/strategy/prefilter.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <string_view>

#include "process_memory.hpp"
#include "stopwatch.hpp"

namespace {

using al::bench::clock_type;
using al::bench::reset_peak;
using al::bench::seconds_since;
using al::bench::status_mib;

struct synthetic_pool {
  torch::Tensor classes;   // [N] int64, the true class of each row
  torch::Tensor features;  // [N, d]
};

/// `n` rows, one cluster per class around row c of `centres` [K, 64], mapped
/// into R^d by `basis` [64, d] and through a ReLU; each row's class is drawn
/// with probability ∝ `weights`.
synthetic_pool clustered(std::int64_t n, std::int64_t d, const torch::Tensor& centres,
                         const torch::Tensor& basis, const torch::Tensor& weights) {
  synthetic_pool pool;
  pool.classes = torch::multinomial(weights, n, /*replacement=*/true);
  pool.features = torch::empty({n, d});
  constexpr std::int64_t block = 65536;  // the 64-dim noise never exists for all rows at once
  for (std::int64_t start = 0; start < n; start += block) {
    const auto end = std::min(n, start + block);
    const auto z = centres.index_select(0, pool.classes.slice(0, start, end)) +
                   torch::randn({end - start, centres.size(1)});
    pool.features.slice(0, start, end).copy_(torch::relu(torch::matmul(z, basis)));
  }
  return pool;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace al;
  std::int64_t n = 1'280'000, k = 1000, b = 10000, labelled = 10000, d = 512;
  std::string words = "balanced(boundary),class_balanced,prefilter>>coreset,prefilter>>badge,coreset,badge";
  CLI::App app{"selection words on an ImageNet-sized pool of features"};
  app.add_option("--pool", n, "candidates N")->check(CLI::Range(2, 100'000'000));
  app.add_option("--classes", k, "classes K")->check(CLI::Range(2, 100'000));
  app.add_option("--query", b, "query size b")->check(CLI::Range(1, 10'000'000));
  app.add_option("--labelled", labelled, "labelled samples L")->check(CLI::Range(1, 10'000'000));
  app.add_option("--dims", d, "feature width d")->check(CLI::Range(64, 100'000));
  app.add_option("--words", words,
                 "comma-separated: balanced(boundary), class_balanced, coreset, badge, "
                 "prefilter>>coreset, prefilter>>badge (prefilter(margin, 10) >> the set selector)");
  CLI11_PARSE(app, argc, argv);
  if (b > n) {
    fmt::print(stderr, "scale_bench: --query {} is more than --pool {}\n", b, n);
    return 2;
  }
  engine::set_torch_threads(0);
  torch::manual_seed(0);

  const std::map<std::string, selector_spec> known{
      {"balanced(boundary)", balanced_spec(to_spec(al::boundary))},
      {"class_balanced", class_balanced_spec(to_spec(al::entropy), 0.6)},
      {"coreset", to_spec(al::coreset)},
      {"badge", to_spec(al::badge)},
      // prefilter(margin, 10) >> …: the 10·b most uncertain by margin, then the set selector.
      {"prefilter>>coreset", prefilter_spec(to_spec(al::margin), 10, to_spec(al::coreset))},
      {"prefilter>>badge", prefilter_spec(to_spec(al::margin), 10, to_spec(al::badge))}};
  std::vector<std::string> chosen;
  for (std::size_t at = 0; at <= words.size();) {
    const auto comma = std::min(words.find(',', at), words.size());
    // "balanced(boundary)" has no comma inside, so a plain split is enough.
    chosen.push_back(words.substr(at, comma - at));
    if (!known.count(chosen.back())) {
      fmt::print(stderr, "scale_bench: unknown word '{}'; the words are", chosen.back());
      for (const auto& [name, spec] : known) fmt::print(stderr, " {}", name);
      fmt::print(stderr, "\n");
      return 2;
    }
    at = comma + 1;
  }

  auto start = clock_type::now();
  const auto centres = torch::randn({k, 64}) * 0.5;
  const auto basis = torch::randn({64, d}) / 8.0;
  const auto skew = torch::linspace(3.0, 1.0, k);  // the first class 3× as common as the last
  const auto pool = clustered(n, d, centres, basis, torch::ones({k}));
  const auto known_set = clustered(labelled, d, centres, basis, skew);

  engine::pool_outputs outputs;
  outputs.embedding = pool.features;
  // The head: the classes' mean features, normalised. About 65% of the pool
  // is predicted right at K = 1 000 (82% at K = 100): a model part-way
  // through training, confused between nearby classes.
  const auto means = torch::zeros({k, d}).index_add_(0, pool.classes, pool.features) /
                     torch::bincount(pool.classes, {}, k).clamp_min(1).unsqueeze(1).to(torch::kFloat);
  outputs.head_weight = (means / means.norm(2, 1, true)).contiguous();
  outputs.head_bias = torch::zeros({k});
  outputs.probs = torch::empty({n, k});
  constexpr std::int64_t block = 65536;
  for (std::int64_t s = 0; s < n; s += block) {
    const auto e = std::min(n, s + block);
    outputs.probs.slice(0, s, e).copy_(
        torch::softmax(torch::matmul(pool.features.slice(0, s, e), outputs.head_weight.t()) * 4, 1));
  }
  const auto accuracy =
      outputs.probs.argmax(1).eq(pool.classes).to(torch::kFloat).mean().item<double>();
  const auto counts = torch::bincount(known_set.classes, {}, k);
  engine::selection_inputs inputs{&outputs, known_set.features, 0, 1,
                                  std::vector<std::int64_t>(counts.data_ptr<std::int64_t>(),
                                                            counts.data_ptr<std::int64_t>() + k)};
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  const auto mib = [](std::int64_t elements) { return double(elements) * 4 / (1 << 20); };
  fmt::print("pool {} x {} ({:.0f} MiB), probabilities {} x {} ({:.0f} MiB), labelled {}, query {}, "
             "torch threads {}; head accuracy {:.2f}; made in {:.1f} s\n",
             n, d, mib(n * d), n, k, mib(n * k), labelled, b, torch::get_num_threads(), accuracy,
             seconds_since(start));

  if (std::find(chosen.begin(), chosen.end(), "coreset") != chosen.end()) {
    // Coreset's first phase alone: every candidate's nearest labelled centre,
    // by blocked GEMM, O(N·L·d); the picks come after it.
    start = clock_type::now();
    engine::k_center_greedy(pool.features, known_set.features, 0);
    fmt::print("coreset's nearest labelled centres alone (blocked GEMM, {} x {}): {:.2f} s\n", n,
               labelled, seconds_since(start));
  }
  for (const auto& word : chosen) {
    const auto base = status_mib("VmRSS:");
    reset_peak();
    start = clock_type::now();
    const auto picks = engine::select_rows(known.at(word), inputs, rows, b);
    const auto seconds = seconds_since(start);
    const auto peak = status_mib("VmHWM:");
    const auto picked_classes = pool.classes.index_select(0, torch::tensor(picks));
    const auto distinct = torch::bincount(picked_classes, {}, k).gt(0).sum().item<std::int64_t>();
    fmt::print("{:<20} {:>9.2f} s   peak +{:>6.0f} MiB   {} picks from {} classes\n", word, seconds,
               peak - base, picks.size(), distinct);
    std::fflush(stdout);
  }
}
