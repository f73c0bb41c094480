// Coreset and BADGE against brute-force references on small random inputs.

#include <al/engine/set_selection.hpp>
#include <al/engine/threads.hpp>
#include <al/strategy/margin.hpp>
#include <al/strategy/prefilter.hpp>
#include <al/strategy/softrank.hpp>
#include <al/words.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <thread>

using namespace al::engine;

namespace {

/// Clustered points (so the pruning actually skips groups) in `dims` dimensions.
torch::Tensor clustered_points(std::int64_t n, std::int64_t dims, std::int64_t clusters,
                               std::uint64_t seed) {
  torch::manual_seed(seed);
  const auto centres = torch::randn({clusters, dims}) * 5;
  const auto which = torch::randint(0, clusters, {n}, torch::kLong);
  return centres.index_select(0, which) + torch::randn({n, dims}) * 0.3;
}

/// Greedy k-center with the full distance matrix: O(N·(L+N)) memory.
std::vector<std::int64_t> reference_k_center(const torch::Tensor& x, const torch::Tensor& centres,
                                             std::int64_t count) {
  auto nearest = std::get<0>(torch::cdist(x, centres).min(1));
  std::vector<std::int64_t> picks;
  auto picked = torch::zeros({x.size(0)}, torch::kBool);
  for (std::int64_t k = 0; k < count; ++k) {
    const auto j = nearest.masked_fill(picked, -1).argmax().item<std::int64_t>();
    picks.push_back(j);
    picked[j] = true;
    nearest = torch::minimum(nearest, torch::cdist(x, x[j].unsqueeze(0)).squeeze(1));
  }
  return picks;
}

}  // namespace

TEST_CASE("k-center greedy picks what the O(N^2) reference picks", "[select][coreset]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto x = clustered_points(600, 12, 15, seed);
    const auto labelled = clustered_points(20, 12, 15, seed + 100);
    const auto picks = k_center_greedy(x, labelled, 60);
    CHECK(picks == reference_k_center(x, labelled, 60));
    CHECK(std::set<std::int64_t>(picks.begin(), picks.end()).size() == 60);
  }
}

TEST_CASE("k-center greedy picks the farthest point first", "[select][coreset]") {
  const auto x = torch::tensor({0.0f, 1.0f, 10.0f, 3.0f}).unsqueeze(1);
  const auto labelled = torch::tensor({0.5f}).unsqueeze(1);
  CHECK(k_center_greedy(x, labelled, 2) == std::vector<std::int64_t>{2, 3});
  SECTION("without a labelled set it starts from the largest norm") {
    CHECK(k_center_greedy(x, torch::empty({0, 1}), 2) == std::vector<std::int64_t>{2, 0});
  }
  CHECK_THROWS_WITH(k_center_greedy(x, labelled, 5), Catch::Contains("cannot pick 5 of 4"));
}

TEST_CASE("BADGE's factorised distances equal those on materialised gradient embeddings",
          "[select][badge]") {
  torch::manual_seed(4);
  const auto probs = torch::softmax(torch::randn({50, 4}) * 2, 1);
  const auto h = torch::randn({50, 6});
  const auto a = probs - torch::one_hot(probs.argmax(1), 4).to(torch::kFloat);
  const auto g = (a.unsqueeze(2) * h.unsqueeze(1)).reshape({50, 24});  // the K·d vectors
  for (std::int64_t row : {0, 17, 49}) {
    const auto expected = torch::cdist(g, g[row].unsqueeze(0)).squeeze(1);
    CHECK(torch::allclose(gradient_embedding_distances(probs, h, row), expected, 1e-4, 1e-4));
  }
}

TEST_CASE("BADGE's k-means++ never repeats a point and is deterministic under its seed",
          "[select][badge]") {
  torch::manual_seed(5);
  const auto probs = torch::softmax(torch::randn({400, 5}) * 3, 1);
  const auto h = clustered_points(400, 16, 8, 6).relu();
  const auto picks = badge_kmeans_pp(probs, h, 100, 42);
  CHECK(std::set<std::int64_t>(picks.begin(), picks.end()).size() == 100);
  CHECK(picks == badge_kmeans_pp(probs, h, 100, 42));
  CHECK(picks != badge_kmeans_pp(probs, h, 100, 43));
  const auto a = probs - torch::one_hot(probs.argmax(1), 5).to(torch::kFloat);
  const auto norms = a.pow(2).sum(1) * h.pow(2).sum(1);
  CHECK(picks.front() == norms.argmax().item<std::int64_t>());  // first centre: largest ||g||
  SECTION("asking for every candidate returns every candidate once") {
    const auto all = badge_kmeans_pp(probs.slice(0, 0, 30), h.slice(0, 0, 30), 30, 1);
    CHECK(std::set<std::int64_t>(all.begin(), all.end()).size() == 30);
  }
}

TEST_CASE("OpenBLAS runs on one thread beside Torch's pool, and on Torch's count inside a "
          "parallel_blas_scope, where Torch runs on one",
          "[select][threads]") {
  // tools/setup installs OpenBLAS; without it LibTorch falls back to the
  // reference BLAS, many times slower.
  REQUIRE(blas_threads() > 0);
  const int torch_threads = torch::get_num_threads();
  set_torch_threads(3);
  CHECK(torch::get_num_threads() == 3);
  CHECK(blas_threads() == 1);
  {
    const parallel_blas_scope every_core;
    CHECK(blas_threads() == 3);
    CHECK(torch::get_num_threads() == 1);
  }
  CHECK(blas_threads() == 1);
  CHECK(torch::get_num_threads() == 3);
  SECTION("scopes of runs selecting side by side may close in any order") {
    auto first = std::make_unique<parallel_blas_scope>();
    auto second = std::make_unique<parallel_blas_scope>();
    first.reset();
    CHECK(blas_threads() == 3);  // the second one's GEMM still runs
    CHECK(torch::get_num_threads() == 1);
    second.reset();
    CHECK(blas_threads() == 1);
    CHECK(torch::get_num_threads() == 3);
  }
  SECTION("another thread's scope leaves this thread's Torch count alone") {
    int inside_other = 0;
    std::thread other([&] {
      torch::set_num_threads(2);
      const parallel_blas_scope its_own;
      inside_other = torch::get_num_threads();
    });
    other.join();
    CHECK(inside_other == 1);
    CHECK(torch::get_num_threads() == 3);
    CHECK(blas_threads() == 1);
  }
  set_torch_threads(torch_threads);
}

TEST_CASE("a registered set selector is chosen by name, nests in built-in combinators, and goes",
          "[select][registry]") {
  // Picks the candidates with the largest first embedding coordinate.
  const auto largest_first = [](const al::selector_spec&, const selection_inputs& inputs,
                                const std::vector<std::int64_t>& rows, std::int64_t count) {
    const auto column = inputs.outputs->embedding.index_select(
        0, torch::tensor(rows, torch::kLong)).select(1, 0);
    const auto order = std::get<1>(column.sort(0, /*descending=*/true));
    std::vector<std::int64_t> chosen;
    for (std::int64_t i = 0; i < count; ++i) chosen.push_back(rows[order[i].item<std::int64_t>()]);
    return chosen;
  };
  register_selector("largest_first", largest_first);
  const auto names = registered_selectors();
  CHECK(std::find(names.begin(), names.end(), "largest_first") != names.end());
  CHECK(std::find(names.begin(), names.end(), "coreset") != names.end());

  pool_outputs outputs;
  outputs.embedding = torch::tensor({{0.5f}, {3.0f}, {1.0f}, {2.0f}, {-1.0f}});
  outputs.probs = torch::tensor({{0.9f, 0.1f}, {0.5f, 0.5f}, {0.6f, 0.4f}, {0.8f, 0.2f}, {0.55f, 0.45f}});
  selection_inputs inputs{&outputs, {}, 7, 1, {}};
  const std::vector<std::int64_t> rows{0, 1, 2, 3, 4};
  const al::selector_spec word{"largest_first", al::need::embedding, "largest first coordinate"};
  CHECK(select_rows(word, inputs, rows, 2) == std::vector<std::int64_t>{1, 3});
  // Inside prefilter: the three least confident by margin are 1, 4, 2; of
  // those the largest first coordinates are 1 and 2.
  const auto margin = al::to_spec(al::margin);
  CHECK(select_rows(al::prefilter_spec(margin, 1.5, word), inputs, rows, 2) ==
        std::vector<std::int64_t>{1, 2});
  CHECK(unregister_selector("largest_first"));
  CHECK_FALSE(unregister_selector("largest_first"));
  CHECK_FALSE(find_selector("largest_first"));
}

TEST_CASE("every built-in word has its engine code, and every engine entry its word",
          "[select][registry][words]") {
  // The text front end's table and the engine's registry are filled from
  // different files (include/al/strategy/<word>.hpp, src/strategy/<word>.cpp);
  // a word with only one of its halves fails here, not in a user's run.
  auto words = al::strategy_words();
  const auto combinators = al::combinator_words();
  words.insert(words.end(), combinators.begin(), combinators.end());
  auto engines = registered_scorers();
  const auto selectors = registered_selectors();
  engines.insert(engines.end(), selectors.begin(), selectors.end());
  const std::set<std::string> word_set(words.begin(), words.end());
  const std::set<std::string> engine_set(engines.begin(), engines.end());
  for (const auto& word : word_set) {
    INFO("word: " << word);
    CHECK(engine_set.contains(word));
  }
  for (const auto& engine : engine_set) {
    INFO("engine entry: " << engine);
    CHECK(word_set.contains(engine));
  }
  CHECK(word_set.size() >= 15);
}

TEST_CASE("softrank samples by rank: rank r about as often as r^-beta says, seeded, never twice",
          "[select][softrank]") {
  // Ten candidates; margin ranks them 0 (most uncertain) to 9.
  pool_outputs outputs;
  const auto top = torch::linspace(0.5, 0.95, 10, torch::kFloat64);
  outputs.probs = torch::stack({top, 1 - top}, 1);
  const std::vector<std::int64_t> rows{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const auto margin = al::to_spec(al::margin);
  const auto pick = [&](double beta, std::uint64_t seed, std::int64_t count) {
    const selection_inputs inputs{&outputs, {}, seed, 1, {}};
    return select_rows(al::softrank_spec(margin, beta), inputs, rows, count);
  };

  SECTION("one pick: rank 1 about 1/H_10 of the time at beta = 1") {
    // P(rank r) = r^-1 / H_10, H_10 = 2.929: rank 1 34.1 %, rank 10 3.4 %.
    constexpr int draws = 4000;
    std::vector<int> times(10, 0);
    for (int s = 0; s < draws; ++s) ++times[static_cast<std::size_t>(pick(1, s, 1).at(0))];
    CHECK(times[0] / double(draws) == Approx(0.341).margin(0.03));
    CHECK(times[9] / double(draws) == Approx(0.034).margin(0.015));
  }
  SECTION("beta = 0 is uniform; a large beta is the scorer's top-k") {
    constexpr int draws = 4000;
    int rank_one = 0;
    for (int s = 0; s < draws; ++s) rank_one += pick(0, s, 1).at(0) == 0;
    CHECK(rank_one / double(draws) == Approx(0.1).margin(0.02));
    CHECK(pick(1000, 3, 4) == std::vector<std::int64_t>{0, 1, 2, 3});
  }
  SECTION("the same seed, the same sample; every row once") {
    CHECK(pick(1, 11, 6) == pick(1, 11, 6));
    CHECK(pick(1, 11, 6) != pick(1, 12, 6));
    const auto all = pick(1, 5, 10);
    CHECK(std::set<std::int64_t>(all.begin(), all.end()).size() == 10);
  }
}
