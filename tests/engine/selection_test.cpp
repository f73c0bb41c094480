// Per-sample strategies on hand-made probabilities, top-k, the registry.

#include <al/engine/selection.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace al::engine;

namespace {

// Four samples whose rankings differ by strategy:
//   least confidence: 2, 1, 3, 0    margin: 1, 2, 3, 0    entropy: 2, 3, 1, 0
torch::Tensor made_probs() {
  return torch::tensor({1.0, 0.0, 0.0,   //
                        0.5, 0.5, 0.0,   //
                        0.4, 0.3, 0.3,   //
                        0.6, 0.2, 0.2},
                       torch::kDouble)
      .reshape({4, 3});
}

std::vector<std::int64_t> ranking(const torch::Tensor& scores) {
  const auto order = top_k(scores, scores.size(0)).contiguous();
  return {order.data_ptr<std::int64_t>(), order.data_ptr<std::int64_t>() + order.numel()};
}

}  // namespace

TEST_CASE("least confidence ranks by 1 - max p", "[select][uncertainty]") {
  const auto scores = least_confidence_scores(made_probs());
  CHECK(scores[2].item<double>() == Approx(0.6));
  CHECK(scores[0].item<double>() == Approx(0.0));
  CHECK(ranking(scores) == std::vector<std::int64_t>{2, 1, 3, 0});
}

TEST_CASE("margin ranks the smallest gap between the top two first", "[select][uncertainty]") {
  const auto scores = margin_scores(made_probs());
  CHECK(scores[1].item<double>() == Approx(0.0));
  CHECK(scores[2].item<double>() == Approx(-0.1));
  CHECK(ranking(scores) == std::vector<std::int64_t>{1, 2, 3, 0});
}

TEST_CASE("entropy ranks by -sum p log p and treats 0 log 0 as 0", "[select][uncertainty]") {
  const auto scores = entropy_scores(made_probs());
  CHECK(scores[0].item<double>() == 0.0);  // not NaN
  CHECK(scores[1].item<double>() == Approx(std::log(2.0)));
  CHECK(scores[2].item<double>() ==
        Approx(-(0.4 * std::log(0.4) + 2 * 0.3 * std::log(0.3))));
  CHECK(ranking(scores) == std::vector<std::int64_t>{2, 3, 1, 0});
}

TEST_CASE("top-k takes the largest scores, ties to the lower position", "[select][topk]") {
  const auto scores = torch::tensor({0.5, 0.9, 0.5, 0.1, 0.9});
  CHECK(ranking(scores) == std::vector<std::int64_t>{1, 4, 0, 2, 3});
  const auto two = top_k(scores, 2);
  CHECK(two.size(0) == 2);
  CHECK_THROWS_WITH(top_k(scores, 6), Catch::Contains("cannot select 6 samples from 5"));
}

TEST_CASE("random scores give a seeded uniform sample without replacement", "[select][random]") {
  const auto a = random_scores(100, 7);
  CHECK(torch::equal(a, random_scores(100, 7)));
  CHECK_FALSE(torch::equal(a, random_scores(100, 8)));
  const auto picks = ranking(a);
  CHECK(std::set<std::int64_t>(picks.begin(), picks.end()).size() == 100);

  // Each of 4 candidates is picked first about a quarter of the time.
  std::vector<int> first(4, 0);
  for (std::uint64_t seed = 0; seed < 2000; ++seed) ++first[top_k(random_scores(4, seed), 1).item<std::int64_t>()];
  for (int count : first) CHECK((count > 400 && count < 600));
}

TEST_CASE("the registry finds built-in and user scorers by name", "[select][registry]") {
  pool_outputs outputs;
  outputs.probs = made_probs();
  const selection_context context{4, 0, 1};
  CHECK(torch::allclose(find_scorer("entropy")(outputs, context), entropy_scores(outputs.probs)));
  CHECK_THROWS_WITH(find_scorer("entrpy"), Catch::Contains("\"entrpy\"") &&
                                               Catch::Contains("entropy, least_confidence") &&
                                               Catch::Contains("register_scorer"));
  register_scorer("most_confident", [](const pool_outputs& out, const selection_context&) {
    return -least_confidence_scores(out.probs);
  });
  CHECK(ranking(find_scorer("most_confident")(outputs, context)).front() == 0);
  const auto names = registered_scorers();
  CHECK(std::find(names.begin(), names.end(), "most_confident") != names.end());
}
