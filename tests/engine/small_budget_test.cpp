// The small-budget selectors against brute-force references on small made
// data: TypiClust's k-means, typicality and cluster order; ProbCover's
// purity radius, δ-ball graph and greedy coverage; and both in a run.

#include "blobs_run_config.hpp"

#include <al/al.hpp>
#include <al/engine/set_selection.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <vector>

namespace small_budget_test {

using namespace al::engine;
namespace fs = std::filesystem;

/// `per_blob` points around each of `centres` (rows), spread `spread`; blob
/// b's points are rows [b·per_blob, (b + 1)·per_blob).
torch::Tensor blobs(const torch::Tensor& centres, std::int64_t per_blob, double spread,
                    std::uint64_t seed) {
  torch::manual_seed(seed);
  return (centres.repeat_interleave(per_blob, 0) +
          spread * torch::randn({centres.size(0) * per_blob, centres.size(1)}));
}

/// Typicality by the definition: every distance computed, sorted, averaged.
torch::Tensor brute_typicality(const torch::Tensor& points, std::int64_t k) {
  auto squared = torch::cdist(points.to(torch::kDouble), points.to(torch::kDouble)).pow(2);
  squared.fill_diagonal_(std::numeric_limits<double>::infinity());
  const auto nearest = std::get<0>(squared.sort(1)).slice(1, 0, k);
  return (1.0 / (nearest.mean(1) + 1e-5)).to(torch::kFloat);
}

TEST_CASE("typicality is the inverse mean squared distance to the k nearest others",
          "[typiclust]") {
  torch::manual_seed(4);
  // 2 500 rows: three blocks of 1 024, the last one partial.
  const auto points = torch::randn({2500, 6});
  for (const std::int64_t k : {1, 7, 20}) {
    INFO("k = " << k);
    CHECK(torch::allclose(typicality(points, k), brute_typicality(points, k), 1e-3, 0));
  }
  CHECK_THROWS_WITH(typicality(points.slice(0, 0, 5), 5),
                    Catch::Contains("1 to 4 neighbours among 5 points"));
}

TEST_CASE("k-means finds well-separated blobs and is reproducible from its seed", "[typiclust]") {
  const auto centres = torch::tensor({0.0f, 0.0f, 10.0f, 0.0f, 0.0f, 10.0f, 10.0f, 10.0f}).view({4, 2});
  const auto points = blobs(centres, 50, 0.5, 1);
  const auto clusters = kmeans_clusters(points, 4, 7);
  std::set<std::int32_t> seen;
  for (int b = 0; b < 4; ++b) {
    const auto first = clusters[static_cast<std::size_t>(50 * b)];
    for (int i = 0; i < 50; ++i) CHECK(clusters[static_cast<std::size_t>(50 * b + i)] == first);
    seen.insert(first);
  }
  CHECK(seen.size() == 4);
  CHECK(kmeans_clusters(points, 4, 7) == clusters);
  CHECK_THROWS_WITH(kmeans_clusters(points, 201, 7), Catch::Contains("201 clusters of 200 points"));
}

TEST_CASE("typiclust takes the most typical candidate of each uncovered cluster",
          "[typiclust]") {
  // Four blobs of 60: each is a cluster once the clusters number four.
  const auto centres =
      torch::tensor({0.0f, 0.0f, 20.0f, 0.0f, 0.0f, 20.0f, 20.0f, 20.0f}).view({4, 2});
  const auto points = blobs(centres, 60, 1.0, 2);
  const auto blob_of = [](std::int64_t row) { return row / 60; };
  const auto most_typical = [&](std::int64_t blob, std::int64_t leave_out) {
    // Brute force over the blob's points, k = min(20, size / 2).
    std::vector<std::int64_t> rows;
    for (std::int64_t r = 60 * blob; r < 60 * (blob + 1); ++r) {
      if (r != leave_out) rows.push_back(r);
    }
    const auto scores = brute_typicality(points.index_select(0, torch::tensor(rows)),
                                         std::min<std::int64_t>(20, static_cast<std::int64_t>(rows.size()) / 2));
    return rows[static_cast<std::size_t>(scores.argmax().item<std::int64_t>())];
  };

  SECTION("no labels: one per blob, its densest point") {
    const auto picks = typiclust_select(points, torch::Tensor(), 4, 3);
    REQUIRE(picks.size() == 4);
    std::set<std::int64_t> blobs_picked;
    for (const auto row : picks) {
      blobs_picked.insert(blob_of(row));
      CHECK(row == most_typical(blob_of(row), -1));
    }
    CHECK(blobs_picked.size() == 4);
  }
  SECTION("labelled blobs come last: the query goes where no label is") {
    // The labelled samples are points of blobs 0 and 1 (as embeddings); the
    // candidates are everything else.
    const auto labelled = torch::stack({points[0], points[60]});
    std::vector<std::int64_t> candidate_rows;
    for (std::int64_t r = 0; r < 240; ++r) {
      if (r != 0 && r != 60) candidate_rows.push_back(r);
    }
    const auto candidates = points.index_select(0, torch::tensor(candidate_rows));
    const auto picks = typiclust_select(candidates, labelled, 2, 3);
    REQUIRE(picks.size() == 2);
    std::set<std::int64_t> blobs_picked;
    for (const auto p : picks) blobs_picked.insert(blob_of(candidate_rows[static_cast<std::size_t>(p)]));
    CHECK(blobs_picked == std::set<std::int64_t>{2, 3});
  }
  SECTION("a query larger than the clusters goes round them; picks are distinct") {
    const auto picks = typiclust_select(points, torch::Tensor(), 30, 3);
    CHECK(std::set<std::int64_t>(picks.begin(), picks.end()).size() == 30);
    CHECK(typiclust_select(points, torch::Tensor(), 30, 3) == picks);  // the seed decides
    CHECK(typiclust_select(points, torch::Tensor(), 240, 3).size() == 240);  // every candidate
  }
  CHECK_THROWS_WITH(typiclust_select(points, torch::Tensor(), 241, 3),
                    Catch::Contains("cannot pick 241 of 240"));
  CHECK_THROWS_WITH(typiclust_select(points, torch::zeros({2, 3}), 4, 3),
                    Catch::Contains("differ in width"));
}

TEST_CASE("the δ-ball graph holds every pair closer than δ, built in blocks", "[probcover]") {
  torch::manual_seed(6);
  const auto points = torch::randn({1100, 4});  // three blocks of 512 rows, the last partial
  const double delta = 0.9;
  const auto graph = ball_graph(points, delta);
  const auto inside = torch::cdist(points.to(torch::kDouble), points.to(torch::kDouble)).lt(delta);
  REQUIRE(graph.offsets.size() == 1101);
  CHECK(graph.offsets.back() == static_cast<std::int64_t>(graph.columns.size()));
  for (std::int64_t row = 0; row < 1100; ++row) {
    const auto expected = inside[row].nonzero().view({-1});
    const std::vector<std::int32_t> got(graph.columns.begin() + graph.offsets[static_cast<std::size_t>(row)],
                                        graph.columns.begin() + graph.offsets[static_cast<std::size_t>(row) + 1]);
    const auto* e = expected.data_ptr<std::int64_t>();
    INFO("row " << row);
    REQUIRE(std::vector<std::int64_t>(e, e + expected.numel()) ==
            std::vector<std::int64_t>(got.begin(), got.end()));
  }
  CHECK_THROWS_WITH(ball_graph(points, delta, 1000), Catch::Contains("give a smaller δ"));
  CHECK_THROWS_WITH(ball_graph(points, 0), Catch::Contains("must be positive"));
}

TEST_CASE("the purity radius is the quantile of the distances to another cluster",
          "[probcover]") {
  const auto centres = torch::tensor({0.0f, 0.0f, 4.0f, 0.0f, 0.0f, 4.0f}).view({3, 2});
  const auto points = blobs(centres, 200, 1.0, 8);  // 600 rows: the sample is every row
  const auto radius = purity_radius(points, 3, 0.95, 5);
  // By hand: the same k-means, every distance.
  const auto cluster_of = kmeans_clusters(points, 3, 5);
  const auto cluster = torch::tensor(std::vector<std::int64_t>(cluster_of.begin(), cluster_of.end()));
  auto distances = torch::cdist(points.to(torch::kDouble), points.to(torch::kDouble));
  distances.masked_fill_(cluster.unsqueeze(1) == cluster.unsqueeze(0),
                         std::numeric_limits<double>::infinity());
  const auto expected = std::get<0>(distances.min(1)).quantile(0.05).item<double>();
  CHECK(radius == Approx(expected).epsilon(1e-4));
  // At that radius about 95% of the balls hold one cluster.
  const auto pure = std::get<0>(distances.min(1)).ge(radius).to(torch::kDouble).mean().item<double>();
  CHECK(pure == Approx(0.95).margin(0.01));
  CHECK_THROWS_WITH(purity_radius(points, 1, 0.95, 5), Catch::Contains("from 2 to 600 classes"));
}

/// ProbCover's greedy by the definition: the whole coverage matrix, every
/// count recomputed at every pick.
std::vector<std::int64_t> brute_probcover(const torch::Tensor& candidates,
                                          const torch::Tensor& labelled, std::int64_t count,
                                          double delta) {
  const auto points = labelled.size(0) > 0 ? torch::cat({candidates, labelled}) : candidates;
  const auto u = candidates.size(0);
  const auto inside = torch::cdist(points.to(torch::kDouble), points.to(torch::kDouble)).lt(delta);
  auto covered = torch::zeros({points.size(0)}, torch::kBool);
  for (std::int64_t row = u; row < points.size(0); ++row) covered |= inside[row];
  std::vector<std::int64_t> picks;
  auto open = torch::ones({u}, torch::kBool);
  while (static_cast<std::int64_t>(picks.size()) < count) {
    const auto gains = (inside.slice(0, 0, u) & ~covered.unsqueeze(0)).sum(1).masked_fill(~open, -1);
    const auto best = gains.argmax().item<std::int64_t>();  // the first maximum
    if (gains[best].item<std::int64_t>() == 0) break;
    picks.push_back(best);
    open[best] = false;
    covered |= inside[best];
  }
  return picks;
}

TEST_CASE("probcover's greedy covers as the definition does", "[probcover]") {
  torch::manual_seed(9);
  const auto points = torch::rand({400, 3}) * 4;
  const auto candidates = points.slice(0, 0, 380);
  const auto labelled = points.slice(0, 380);
  double used = 0;
  SECTION("with labelled samples, until everything is covered and beyond") {
    const auto picks = probcover_select(candidates, labelled, 25, 4, 0.7, 1, &used);
    CHECK(used == 0.7);
    const auto expected = brute_probcover(candidates, labelled, 25, 0.7);
    REQUIRE(expected.size() <= picks.size());
    CHECK(std::vector<std::int64_t>(picks.begin(), picks.begin() + static_cast<std::ptrdiff_t>(expected.size())) == expected);
  }
  SECTION("once everything is covered, the rest are random, distinct and from the seed") {
    const auto picks = probcover_select(candidates, labelled, 200, 4, 1.5, 1);
    const auto greedy = brute_probcover(candidates, labelled, 200, 1.5);
    REQUIRE(greedy.size() < 200);
    CHECK(std::vector<std::int64_t>(picks.begin(), picks.begin() + static_cast<std::ptrdiff_t>(greedy.size())) == greedy);
    CHECK(std::set<std::int64_t>(picks.begin(), picks.end()).size() == 200);
    CHECK(probcover_select(candidates, labelled, 200, 4, 1.5, 1) == picks);
  }
  SECTION("no labels and δ by the purity rule") {
    const auto picks = probcover_select(candidates, torch::Tensor(), 10, 4, 0, 1, &used);
    CHECK(used == Approx(purity_radius(candidates, 4, 0.95, 1)));
    CHECK(picks == brute_probcover(candidates, torch::zeros({0, 3}), 10, used));
  }
  CHECK_THROWS_WITH(probcover_select(candidates, labelled, 381, 4, 0.7, 1),
                    Catch::Contains("cannot pick 381 of 380"));
}

TEST_CASE("typiclust and probcover choose the initial set and queries, and hand over to margin",
          "[typiclust][probcover][loop]") {
  using namespace al;
  const auto folder = fs::temp_directory_path() / "alpipe-typiclust-run";
  fs::remove_all(folder);
  const auto pipeline = initial(typiclust, 20) | train.epochs(10).min_steps(100) |
                        cycle(2, query(typiclust, 20)) | cycle(1, query(margin, 20));
  CHECK_THAT(explain(pipeline), Catch::Contains("typiclust"));
  const auto report = run(pipeline, al_test::blobs_run_config(folder));
  REQUIRE(report.cycles.size() == 4);
  std::set<std::int64_t> labelled;
  for (const auto& cycle : report.cycles) {
    CHECK(cycle.queried.size() == 20);
    labelled.insert(cycle.queried.begin(), cycle.queried.end());
  }
  CHECK(labelled.size() == 80);
  // Which word picked each query: the plan's data (plan.json) says.
  std::vector<std::string> picked_by;
  for (const auto& s : lower(pipeline).steps) {
    if (const auto* first = std::get_if<label_initial_step>(&s)) picked_by.push_back(first->selector.name);
    if (const auto* select = std::get_if<select_step>(&s)) picked_by.push_back(select->selector.name);
  }
  CHECK(picked_by == std::vector<std::string>{"typiclust", "typiclust", "typiclust", "margin"});

  // probcover, with δ from the purity rule on the model's embedding.
  fs::remove_all(folder);
  const auto covered = run(initial(probcover, 20) | train.epochs(10).min_steps(100) |
                               cycle(2, query(probcover, 20)),
                           al_test::blobs_run_config(folder));
  REQUIRE(covered.cycles.size() == 3);
  for (const auto& cycle : covered.cycles) CHECK(cycle.queried.size() == 20);
  // The same words from the text front end.
  CHECK(explain(parse("initial(typiclust, 20) | cycle(2, query(typiclust, 20))")) ==
        explain(initial(typiclust, 20) | cycle(2, query(typiclust, 20))));
  CHECK(explain(parse("initial(probcover, 20)")) == explain(initial(probcover, 20)));
  // Other set selectors still need a labelled set to start from (AL023).
  CHECK_THROWS_WITH(parse("initial(coreset, 20)"),
                    Catch::StartsWith("AL023") && Catch::Contains("or typiclust or probcover"));
  fs::remove_all(folder);
}

}  // namespace small_budget_test
