#pragma once
// A class-balanced selection problem that exercises CBAL's lazy greedy:
// many classes, some with no deficit at all and some filled part-way
// through, float32 probabilities as a run has them. Shared by the test of
// the lazy solver against full evaluation and the test of its tensor code.

#include <al/engine/selection.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace al_test {

struct cbal_problem {
  torch::Tensor probs;  // [1500, 40]
  torch::Tensor cost;   // [1500], float64: −entropy
  std::vector<double> deficit;
  std::int64_t count = 200;
};

inline cbal_problem many_classes_cbal_problem() {
  torch::manual_seed(21);
  const std::int64_t n = 1500, k = 40;
  cbal_problem problem;
  problem.probs = torch::softmax(torch::randn({n, k}) * 3, 1);
  problem.cost = -al::engine::entropy_scores(problem.probs).to(torch::kFloat64);
  problem.deficit.resize(static_cast<std::size_t>(k));
  for (std::int64_t c = 0; c < k; ++c) {
    problem.deficit[static_cast<std::size_t>(c)] = double(c % 4 == 0 ? 0 : c % 9);
  }
  return problem;
}

}  // namespace al_test
