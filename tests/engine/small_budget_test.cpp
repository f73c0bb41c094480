// The small-budget selectors against brute-force references on small made
// data: TypiClust's k-means, typicality and cluster order; and typiclust in
// a run.

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

TEST_CASE("typiclust runs as a query, then hands over to margin",
          "[typiclust][loop]") {
  using namespace al;
  const auto folder = fs::temp_directory_path() / "alpipe-typiclust-run";
  fs::remove_all(folder);
  const auto pipeline = initial(al::random, 20) | train.epochs(10).min_steps(100) |
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
  CHECK(picked_by == std::vector<std::string>{"random", "typiclust", "typiclust", "margin"});
  // The same words from the text front end.
  CHECK(explain(parse("initial(random, 20) | cycle(2, query(typiclust, 20))")) ==
        explain(initial(al::random, 20) | cycle(2, query(typiclust, 20))));
  fs::remove_all(folder);
}

}  // namespace small_budget_test
