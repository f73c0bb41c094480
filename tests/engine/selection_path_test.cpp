// The set selectors' tensor code (what runs where the scoring pass left a
// GPU run's outputs) against their CPU code, on the CPU: the same picks
// wherever the algorithm is deterministic, on made data where no two
// candidates tie; for BADGE, whose draws come from another random stream,
// what must hold whatever the stream. And CPU inputs still take the CPU
// code: picks recorded from it before the tensor code existed.

#include "cbal_problem.hpp"

#include <al/al.hpp>
#include <al/engine/set_selection.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <set>
#include <vector>

namespace selection_path_test {

using namespace al;
using engine::selection_path;

/// `n` points around `clusters` centres far apart (5·N(0, 1) per coordinate
/// against a spread of 0.3): distances differ enough that rounding in the
/// two codes' different sums cannot reorder them.
torch::Tensor blobs(std::int64_t n, std::int64_t dims, std::int64_t clusters, std::uint64_t seed) {
  torch::manual_seed(seed);
  const auto centres = torch::randn({clusters, dims}) * 5;
  const auto which = torch::randint(0, clusters, {n}, torch::kLong);
  return centres.index_select(0, which) + torch::randn({n, dims}) * 0.3;
}

std::vector<std::int64_t> all_rows(std::int64_t n) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  return rows;
}

/// A linear head's outputs over blob embeddings (probabilities, embedding,
/// the head's weights): what balanced, BASE and CBAL read. The same every call.
engine::pool_outputs linear_head_outputs() {
  engine::pool_outputs outputs;
  outputs.embedding = blobs(400, 6, 12, 12);
  outputs.head_weight = torch::randn({4, 6});
  outputs.head_bias = torch::randn({4});
  outputs.probs = torch::softmax(
      torch::addmm(outputs.head_bias, outputs.embedding, outputs.head_weight.t()), 1);
  return outputs;
}

bool distinct(const std::vector<std::int64_t>& picks) {
  return std::set<std::int64_t>(picks.begin(), picks.end()).size() == picks.size();
}

/// ||g_i||² = ||p_i − e_ŷ||²·||h_i||², whose largest is BADGE's first pick.
torch::Tensor gradient_norms(const torch::Tensor& probs, const torch::Tensor& h) {
  const auto a = probs - torch::one_hot(probs.argmax(1), probs.size(1)).to(probs.dtype());
  return a.pow(2).sum(1) * h.pow(2).sum(1);
}

/// Every probability row [0.75, 0.25]: p − e_ŷ is (−0.25, 0.25) for all,
/// so BADGE's distances are √0.125·||h_i − h_j||, and with small integer
/// embeddings every sum in either code is exact.
torch::Tensor dyadic_probs(std::int64_t n) {
  return torch::tensor({0.75f, 0.25f}).repeat({n, 1});
}

TEST_CASE("coreset's tensor code picks what the pruned scan picks", "[select][coreset][tensor]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    const auto x = blobs(600, 12, 15, seed);
    const auto labelled = blobs(20, 12, 15, seed + 100);
    const auto picks = engine::k_center_greedy(x, labelled, 60, selection_path::tensor);
    CHECK(picks == engine::k_center_greedy(x, labelled, 60));
    CHECK(distinct(picks));
    SECTION("without a labelled set") {
      const auto none = torch::empty({0, 12});
      CHECK(engine::k_center_greedy(x, none, 60, selection_path::tensor) ==
            engine::k_center_greedy(x, none, 60));
    }
  }
  SECTION("by hand, and float64 or strided inputs as they come") {
    const auto x = torch::tensor({0.0, 1.0, 10.0, 3.0}, torch::kFloat64).unsqueeze(1);
    const auto labelled = torch::tensor({0.5}, torch::kFloat64).unsqueeze(1);
    CHECK(engine::k_center_greedy(x, labelled, 2, selection_path::tensor) ==
          std::vector<std::int64_t>{2, 3});
    CHECK(engine::k_center_greedy(x, torch::empty({0, 1}), 2, selection_path::tensor) ==
          std::vector<std::int64_t>{2, 0});
    const auto wide = blobs(300, 8, 6, 9);
    const auto strided = wide.t().contiguous().t();  // the same rows, column-major
    CHECK(engine::k_center_greedy(strided, wide.slice(0, 0, 5), 30, selection_path::tensor) ==
          engine::k_center_greedy(wide, wide.slice(0, 0, 5), 30));
  }
  SECTION("every candidate, duplicates included, exactly once") {
    const auto x = torch::cat({blobs(40, 4, 3, 4), blobs(40, 4, 3, 4)});  // each row twice
    CHECK(distinct(engine::k_center_greedy(x, torch::empty({0, 4}), 80, selection_path::tensor)));
  }
  CHECK_THROWS_WITH(engine::k_center_greedy(torch::zeros({3, 2}), torch::zeros({1, 2}), 4,
                                            selection_path::tensor),
                    Catch::Contains("cannot pick 4 of 3"));
}

TEST_CASE("BADGE's tensor code: largest gradient first, never twice, reproducible from the seed",
          "[select][badge][tensor]") {
  torch::manual_seed(5);
  const auto probs = torch::softmax(torch::randn({400, 5}) * 3, 1);
  const auto h = blobs(400, 16, 8, 6).relu();
  const auto picks = engine::badge_kmeans_pp(probs, h, 100, 42, selection_path::tensor);
  REQUIRE(picks.size() == 100);
  CHECK(distinct(picks));
  CHECK(picks.front() == gradient_norms(probs, h).argmax().item<std::int64_t>());
  CHECK(picks == engine::badge_kmeans_pp(probs, h, 100, 42, selection_path::tensor));
  CHECK(picks != engine::badge_kmeans_pp(probs, h, 100, 43, selection_path::tensor));
  SECTION("asking for every candidate returns every candidate once") {
    const auto all = engine::badge_kmeans_pp(probs.slice(0, 0, 30), h.slice(0, 0, 30), 30, 1,
                                             selection_path::tensor);
    CHECK(all.size() == 30);
    CHECK(distinct(all));
  }
}

TEST_CASE("BADGE's tensor code picks the CPU code's picks where k-means++ has no choice",
          "[select][badge][tensor]") {
  // Rows 0, 1, 3, 4, 5 share the embedding (4, 0), the largest gradient;
  // row 2 alone is (0, 2). The first pick is row 0 (the first largest);
  // then row 2 is the only row away from every centre; then every row left
  // sits on a centre (D² = 0 exactly), and both take them in row order.
  const auto h = torch::tensor({4.0f, 0.0f, 4.0f, 0.0f, 0.0f, 2.0f, 4.0f, 0.0f, 4.0f, 0.0f,
                                4.0f, 0.0f})
                     .view({6, 2});
  const auto probs = dyadic_probs(6);
  const std::vector<std::int64_t> forced{0, 2, 1, 3, 4, 5};
  for (std::uint64_t seed : {0u, 1u, 2u, 77u}) {
    INFO("seed " << seed);
    CHECK(engine::badge_kmeans_pp(probs, h, 6, seed, selection_path::tensor) == forced);
    CHECK(engine::badge_kmeans_pp(probs, h, 6, seed) == forced);
  }
}

TEST_CASE("BADGE's tensor code draws in proportion to D^2", "[select][badge][tensor]") {
  // Embeddings 4, 3, 2, 0 on a line: the first centre is 4, after which
  // D² ∝ 1, 4, 16, so rows 1, 2, 3 come second 1/21, 4/21, 16/21 of the
  // time.
  const auto h = torch::tensor({4.0f, 3.0f, 2.0f, 0.0f}).unsqueeze(1);
  const auto probs = dyadic_probs(4);
  constexpr int draws = 3000;
  std::vector<int> second(4, 0);
  for (int seed = 0; seed < draws; ++seed) {
    const auto picks = engine::badge_kmeans_pp(probs, h, 2, static_cast<std::uint64_t>(seed),
                                               selection_path::tensor);
    REQUIRE(picks.front() == 0);
    ++second[static_cast<std::size_t>(picks.at(1))];
  }
  CHECK(second[0] == 0);
  CHECK(second[1] / double(draws) == Approx(1.0 / 21).margin(0.015));
  CHECK(second[2] / double(draws) == Approx(4.0 / 21).margin(0.025));
  CHECK(second[3] / double(draws) == Approx(16.0 / 21).margin(0.025));
}

TEST_CASE("CBAL's tensor code picks what the lazy heap picks", "[balance][class_balanced][tensor]") {
  // The lazy-greedy test's data.
  const auto [probs, cost, deficit, count] = al_test::many_classes_cbal_problem();
  for (double lambda : {0.0, 0.1, 0.6, 5.0}) {
    INFO("lambda " << lambda);
    const auto picks =
        engine::class_balanced_greedy(cost, probs, deficit, lambda, count, selection_path::tensor);
    CHECK(picks == engine::class_balanced_greedy(cost, probs, deficit, lambda, count));
    CHECK(distinct(picks));
  }
  SECTION("float64 probabilities, and every candidate") {
    const auto p64 = probs.slice(0, 0, 300).to(torch::kFloat64);
    const auto c64 = cost.slice(0, 0, 300);
    CHECK(engine::class_balanced_greedy(c64, p64, deficit, 0.6, 300, selection_path::tensor) ==
          engine::class_balanced_greedy(c64, p64, deficit, 0.6, 300));
  }
  SECTION("negative probabilities are refused there too") {
    CHECK_THROWS_WITH(engine::class_balanced_greedy(cost, probs - 0.5, deficit, 0.6, count,
                                                    selection_path::tensor),
                      Catch::Contains("must not be negative"));
  }
}

TEST_CASE("balanced, BASE and CBAL pick the same through select_rows on either path",
          "[balance][tensor]") {
  const auto outputs = linear_head_outputs();
  engine::selection_inputs cpu{&outputs, {}, 0, 1, {40, 10, 0, 25}};
  auto tensor = cpu;
  tensor.path = selection_path::tensor;
  // A subset of the rows, so that rows_of and the mapping back are exercised.
  std::vector<std::int64_t> rows;
  for (std::int64_t i = 0; i < 400; i += 3) rows.push_back(i);
  for (const auto& spec : {balanced_spec(to_spec(entropy)), balanced_spec(to_spec(margin)),
                           balanced_spec(to_spec(boundary)),
                           class_balanced_spec(to_spec(entropy), 0.6),
                           class_balanced_spec(to_spec(least_confidence), 3.0)}) {
    for (const std::int64_t count : {1, 9, 40, 133}) {
      INFO(spec.name << "(" << spec.inner.at(0).name << "), " << count << " picks");
      const auto picks = engine::select_rows(spec, tensor, rows, count);
      CHECK(picks == engine::select_rows(spec, cpu, rows, count));
      CHECK(distinct(picks));
    }
  }
}

TEST_CASE("balanced's rankings on either path break ties alike: the lower position first",
          "[balance][tensor]") {
  // Scores rounded to a few values, and NaNs: both paths sort stably, so
  // ties and NaNs must come out the same, not just on tie-free data.
  torch::manual_seed(17);
  const std::int64_t n = 2000, k = 7;
  auto class_scores = (torch::rand({n, k}) * 5).floor();
  class_scores.index_put_({torch::randint(0, n, {20}), 3}, std::nan(""));
  const auto scores = (torch::rand({n}) * 4).floor();
  engine::register_scorer(
      "tied_scores",
      [scores](const engine::pool_outputs&, const engine::selection_context&) { return scores; },
      [class_scores](const engine::pool_outputs&, const engine::selection_context&) {
        return class_scores;
      });
  engine::register_scorer(
      "tied_scores_alone",
      [scores](const engine::pool_outputs&, const engine::selection_context&) { return scores; });
  engine::pool_outputs outputs;
  outputs.probs = torch::softmax(torch::randn({n, k}), 1);
  engine::selection_inputs cpu{&outputs, {}, 0, 1, {}};
  auto tensor = cpu;
  tensor.path = selection_path::tensor;
  for (const char* name : {"tied_scores", "tied_scores_alone"}) {
    selector_spec inner;
    inner.name = name;
    for (const std::int64_t count : std::vector<std::int64_t>{1, 40, 333, n}) {
      INFO(name << ", " << count << " picks");
      CHECK(engine::select_rows(balanced_spec(inner), tensor, all_rows(n), count) ==
            engine::select_rows(balanced_spec(inner), cpu, all_rows(n), count));
    }
  }
  engine::unregister_scorer("tied_scores");
  engine::unregister_scorer("tied_scores_alone");
}

TEST_CASE("on a CUDA device, when this LibTorch sees one, the CPU code's picks",
          "[select][balance][tensor][cuda]") {
  if (!torch::cuda::is_available()) {
    WARN("no CUDA device: the selectors' tensor code was run on the CPU only");
    return;
  }
  // The data of the tests above, on the device.
  const torch::Device cuda(torch::kCUDA);
  const auto x = blobs(600, 12, 15, 1);
  const auto labelled = blobs(20, 12, 15, 101);
  CHECK(engine::k_center_greedy(x.to(cuda), labelled.to(cuda), 60) ==
        engine::k_center_greedy(x, labelled, 60));
  CHECK(engine::k_center_greedy(x.to(cuda), torch::empty({0, 12}, cuda), 60) ==
        engine::k_center_greedy(x, torch::empty({0, 12}), 60));

  torch::manual_seed(5);
  const auto probs = torch::softmax(torch::randn({400, 5}) * 3, 1);
  const auto h = blobs(400, 16, 8, 6).relu();
  const auto badge = engine::badge_kmeans_pp(probs.to(cuda), h.to(cuda), 100, 42);
  CHECK(distinct(badge));
  CHECK(badge.front() == gradient_norms(probs, h).argmax().item<std::int64_t>());
  CHECK(badge == engine::badge_kmeans_pp(probs.to(cuda), h.to(cuda), 100, 42));
  const auto forced_h = torch::tensor({4.0f, 0.0f, 4.0f, 0.0f, 0.0f, 2.0f, 4.0f, 0.0f}).view({4, 2});
  CHECK(engine::badge_kmeans_pp(dyadic_probs(4).to(cuda), forced_h.to(cuda), 4, 3) ==
        std::vector<std::int64_t>{0, 2, 1, 3});

  torch::manual_seed(21);
  const auto p = torch::softmax(torch::randn({1500, 40}) * 3, 1);
  const auto cost = -engine::entropy_scores(p).to(torch::kFloat64);
  std::vector<double> deficit(40);
  for (std::size_t c = 0; c < deficit.size(); ++c) deficit[c] = double(c % 4 == 0 ? 0 : c % 9);
  CHECK(engine::class_balanced_greedy(cost.to(cuda), p.to(cuda), deficit, 0.6, 200) ==
        engine::class_balanced_greedy(cost, p, deficit, 0.6, 200));

  const auto cpu_outputs = linear_head_outputs();
  engine::pool_outputs cuda_outputs;
  cuda_outputs.embedding = cpu_outputs.embedding.to(cuda);
  cuda_outputs.head_weight = cpu_outputs.head_weight.to(cuda);
  cuda_outputs.head_bias = cpu_outputs.head_bias.to(cuda);
  cuda_outputs.probs = cpu_outputs.probs.to(cuda);
  const engine::selection_inputs cpu{&cpu_outputs, {}, 0, 1, {40, 10, 0, 25}};
  const engine::selection_inputs gpu{&cuda_outputs, {}, 0, 1, {40, 10, 0, 25}};
  std::vector<std::int64_t> rows;
  for (std::int64_t i = 0; i < 400; i += 3) rows.push_back(i);
  for (const auto& spec : {balanced_spec(to_spec(entropy)), balanced_spec(to_spec(boundary)),
                           class_balanced_spec(to_spec(entropy), 0.6)}) {
    INFO(spec.name << "(" << spec.inner.at(0).name << ")");
    CHECK(engine::select_rows(spec, gpu, rows, 40) == engine::select_rows(spec, cpu, rows, 40));
  }
}

TEST_CASE("CPU inputs take the CPU code: the picks it gave before the tensor code existed",
          "[select][tensor]") {
  // Recorded from the CPU code as it was before the tensor code was added.
  // The tensor code's BADGE draws from another stream, so it would fail the
  // BADGE line.
  const auto x = blobs(600, 12, 15, 1);
  const auto labelled = blobs(20, 12, 15, 101);
  CHECK(engine::k_center_greedy(x, labelled, 12) ==
        std::vector<std::int64_t>{170, 419, 140, 8, 371, 597, 240, 377, 353, 12, 188, 77});
  torch::manual_seed(5);
  const auto probs = torch::softmax(torch::randn({400, 5}) * 3, 1);
  const auto h = blobs(400, 16, 8, 6).relu();
  CHECK(engine::badge_kmeans_pp(probs, h, 12, 42) ==
        std::vector<std::int64_t>{266, 302, 259, 304, 54, 352, 39, 229, 150, 113, 168, 4});
  CHECK(engine::badge_kmeans_pp(probs, h, 12, 42, selection_path::tensor) !=
        engine::badge_kmeans_pp(probs, h, 12, 42));
  torch::manual_seed(21);
  const auto p = torch::softmax(torch::randn({1500, 40}) * 3, 1);
  const auto cost = -engine::entropy_scores(p).to(torch::kFloat64);
  std::vector<double> deficit(40);
  for (std::size_t c = 0; c < deficit.size(); ++c) deficit[c] = double(c % 4 == 0 ? 0 : c % 9);
  CHECK(engine::class_balanced_greedy(cost, p, deficit, 0.6, 12) ==
        std::vector<std::int64_t>{936, 574, 178, 663, 86, 1340, 48, 1160, 1239, 1362, 1347, 684});
}

}  // namespace selection_path_test
