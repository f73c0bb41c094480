// The balance strategies at the scale of a Fashion-MNIST pool: select
// b = 1 000 of 60 000 candidates with K = 10 classes, through the same
// select_rows the runs use, for balanced(entropy), balanced(boundary) (BASE)
// and class_balanced(entropy, 0.6) (CBAL's greedy, O(U·K) per step).
//
//   balance_bench [--repeats N]
// Embeddings [60 000, 128] and a linear head like the small CNN's; the
// predictions are skewed towards the first classes, as on a long-tailed pool.

#include <CLI/CLI.hpp>
#include <al/engine/set_selection.hpp>
#include <al/engine/training.hpp>
#include <al/strategy/balanced.hpp>
#include <al/strategy/boundary.hpp>
#include <al/strategy/class_balanced.hpp>
#include <al/strategy/entropy.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <string_view>

#include "stopwatch.hpp"

using al::bench::clock_type;
using al::bench::seconds_since;

int main(int argc, char** argv) {
  using namespace al;
  int repeats = 3;
  CLI::App app{"balanced(entropy), balanced(boundary) and class_balanced on 60 000 candidates"};
  app.add_option("--repeats", repeats, "timed repetitions (best is kept)")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  engine::set_torch_threads(0);
  torch::manual_seed(0);
  const std::int64_t n = 60000, d = 128, k = 10, b = 1000;

  engine::pool_outputs outputs;
  outputs.embedding = torch::relu(torch::randn({n, d}));
  outputs.head_weight = torch::randn({k, d}) / std::sqrt(double(d));
  // A bias favouring the first classes: predictions as skewed as a long tail.
  outputs.head_bias = torch::linspace(1.0, -1.0, k);
  outputs.probs = torch::softmax(
      torch::addmm(outputs.head_bias, outputs.embedding, outputs.head_weight.t()) * 3, 1);
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  // A labelled set of 2 000 skewed like the pool: CBAL's deficits.
  std::vector<std::int64_t> labelled{600, 400, 300, 200, 150, 120, 90, 70, 40, 30};
  engine::selection_inputs inputs{&outputs, {}, 0, 1, labelled};

  const auto predicted = outputs.probs.argmax(1);
  const auto per_class = torch::bincount(predicted, {}, k);
  fmt::print("{} candidates, d = {}, K = {}, b = {}, torch threads {}; predicted per class: {}\n", n,
             d, k, b, torch::get_num_threads(),
             fmt::join(std::vector<std::int64_t>(per_class.data_ptr<std::int64_t>(),
                                                 per_class.data_ptr<std::int64_t>() + k),
                       " "));

  const std::vector<std::pair<std::string, selector_spec>> strategies{
      {"entropy (top-k, for scale)", to_spec(al::entropy)},
      {"balanced(entropy)", balanced_spec(to_spec(al::entropy))},
      {"balanced(boundary)", balanced_spec(to_spec(al::boundary))},
      {"class_balanced(entropy, 0.6)", class_balanced_spec(to_spec(al::entropy), 0.6)}};
  for (const auto& [name, spec] : strategies) {
    double best = INFINITY;
    std::vector<std::int64_t> picks;
    for (int r = 0; r < repeats; ++r) {
      const auto start = clock_type::now();
      picks = engine::select_rows(spec, inputs, rows, b);
      best = std::min(best, seconds_since(start));
    }
    const auto chosen = predicted.index_select(0, torch::tensor(picks));
    const auto histogram = torch::bincount(chosen, {}, k);
    fmt::print("{:<30} {:.3f} s (best of {}); picks per predicted class: {}\n", name, best,
               repeats,
               fmt::join(std::vector<std::int64_t>(histogram.data_ptr<std::int64_t>(),
                                                   histogram.data_ptr<std::int64_t>() + k),
                         " "));
  }
}
