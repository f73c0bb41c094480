// Discrepancy strategies and the semi-supervised recipe: MCDAL's heads and
// score, TOD's score and its first-query fallback, COD's EMA teacher, and
// whole runs of each on blobs.

#include "test_device.hpp"
#include <al/al.hpp>
#include <al/engine/model.hpp>
#include <al/engine/selection.hpp>
#include <al/engine/training.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

namespace discrepancy_test {

using namespace al;
using al::random;
namespace fs = std::filesystem;

config blobs_config(const std::string& name, std::uint64_t seed = 0) {
  config c;
  c.data.name = "blobs";
  c.seed = seed;
  c.device = al_test::test_device();
  c.results_dir = fs::temp_directory_path() / ("alpipe-discrepancy-test-" + name);
  fs::remove_all(c.results_dir);
  c.verbose = false;
  return c;
}

/// Eight points of two separable blobs in 8 dimensions, and their labels.
std::pair<torch::Tensor, torch::Tensor> tiny_blobs(std::int64_t n, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto labels = torch::arange(n) % 2;
  auto images = torch::randn({n, 1, 1, 8}) + (labels.to(torch::kFloat) * 3).view({n, 1, 1, 1});
  return {images, labels};
}

TEST_CASE("MCDAL's score is 0 for identical heads and the L1 sum otherwise", "[mcdal]") {
  const auto p = torch::tensor({{0.7, 0.2, 0.1}, {0.1, 0.1, 0.8}}, torch::kFloat64);
  CHECK(engine::mcdal_scores(p, torch::stack({p, p}, 1)).abs().max().item<double>() == 0);
  // Row 0: p1 = (0.5, 0.4, 0.1), p2 = (0.7, 0.1, 0.2):
  // |p1 - p2| = 0.2 + 0.3 + 0.1 = 0.6, |p0 - p1| = 0.2 + 0.2 + 0 = 0.4,
  // |p0 - p2| = 0 + 0.1 + 0.1 = 0.2; total 1.2.
  const auto p1 = torch::tensor({{0.5, 0.4, 0.1}, {0.1, 0.1, 0.8}}, torch::kFloat64);
  const auto p2 = torch::tensor({{0.7, 0.1, 0.2}, {0.1, 0.1, 0.8}}, torch::kFloat64);
  const auto scores = engine::mcdal_scores(p, torch::stack({p1, p2}, 1));
  CHECK(scores[0].item<double>() == Approx(1.2));
  CHECK(scores[1].item<double>() == Approx(0).margin(1e-12));
}

TEST_CASE("TOD's score is 0 when the model did not change, half the squared distance otherwise",
          "[tod]") {
  const auto p = torch::tensor({{0.7, 0.2, 0.1}, {0.3, 0.3, 0.4}}, torch::kFloat64);
  CHECK(engine::tod_scores(p, p).abs().max().item<double>() == 0);
  const auto before = torch::tensor({{0.5, 0.4, 0.1}, {0.3, 0.3, 0.4}}, torch::kFloat64);
  // Row 0: 0.5 * (0.2² + 0.2² + 0²) = 0.04.
  CHECK(engine::tod_scores(p, before)[0].item<double>() == Approx(0.04));
  SECTION("without a previous model the registered tod scores at random, from the seed") {
    engine::pool_outputs outputs;
    outputs.probs = p;
    const auto tod_scorer = engine::find_scorer("tod");
    const auto scores = tod_scorer(outputs, {2, 7, 1});
    CHECK(torch::equal(scores, engine::random_scores(2, 7)));
    outputs.previous_probs = before;
    CHECK(tod_scorer(outputs, {2, 7, 1})[0].item<double>() == Approx(0.04));
  }
}

TEST_CASE("COD's EMA teacher follows alpha_t = min(1 - 1/(t+1), 0.999)", "[cod]") {
  CHECK(engine::ema_decay(0) == 0);  // the first update copies the student
  CHECK(engine::ema_decay(1) == Approx(0.5));
  CHECK(engine::ema_decay(9) == Approx(0.9));
  CHECK(engine::ema_decay(100000) == Approx(0.999));
  auto teacher = engine::make_mlp({1, 1, 8, 2});
  auto student = engine::make_mlp({1, 1, 8, 2});
  std::vector<torch::Tensor> before;
  for (const auto& t : teacher->parameters()) before.push_back(t.detach().clone());
  engine::ema_update(*teacher, *student, 0.75);
  const auto after = teacher->parameters();
  const auto students = student->parameters();
  for (std::size_t i = 0; i < after.size(); ++i) {
    CHECK(torch::allclose(after[i], 0.75 * before[i] + 0.25 * students[i]));
  }
  SECTION("another architecture is refused") {
    auto wider = engine::make_small_cnn({1, 28, 28, 10});
    CHECK_THROWS_WITH(engine::ema_update(*wider, *student, 0.5),
                      Catch::Contains("the model's architecture"));
  }
}

TEST_CASE("MCDAL's head updates never move the model", "[mcdal]") {
  const auto [images, labels] = tiny_blobs(64, 3);
  const auto [pool, unused] = tiny_blobs(200, 4);
  train_recipe recipe;
  recipe.epochs = 2;
  recipe.min_steps = 20;
  recipe.batch_size = 16;
  torch::manual_seed(1);
  auto plain = engine::make_mlp({1, 1, 8, 2});
  torch::manual_seed(1);
  auto with_heads = engine::make_mlp({1, 1, 8, 2});
  engine::train_classifier(*plain, images, labels, recipe, 5);

  auto heads = engine::auxiliary_heads(64, 2);
  std::vector<torch::Tensor> heads_before;
  for (const auto& t : heads.parameters()) heads_before.push_back(t.detach().clone());
  recipe.auxiliary_heads = true;
  engine::unlabelled_batches unlabelled{pool, torch::arange(200), &heads, nullptr};
  engine::train_classifier(*with_heads, images, labels, recipe, 5, unlabelled);

  // Same data order, same steps, and the heads' steps only read the model
  // (the MLP has no batch norm whose statistics the unlabelled pass could move).
  const auto a = plain->parameters();
  const auto b = with_heads->parameters();
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i], b[i]));
  const auto heads_after = heads.parameters();
  for (std::size_t i = 0; i < heads_after.size(); ++i) {
    CHECK_FALSE(torch::equal(heads_before[i], heads_after[i]));
  }
}

TEST_CASE("a recipe that needs unlabelled batches says what is missing", "[mcdal][cod]") {
  const auto [images, labels] = tiny_blobs(16, 3);
  auto model = engine::make_mlp({1, 1, 8, 2});
  train_recipe recipe;
  recipe.epochs = 1;
  recipe.min_steps = 1;
  recipe.auxiliary_heads = true;
  CHECK_THROWS_WITH(engine::train_classifier(*model, images, labels, recipe, 0),
                    Catch::Contains("no unlabelled images were given"));
  engine::unlabelled_batches unlabelled{images, torch::arange(16), nullptr, nullptr};
  CHECK_THROWS_WITH(engine::train_classifier(*model, images, labels, recipe, 0, unlabelled),
                    Catch::Contains("auxiliary_heads"));
  recipe.auxiliary_heads = false;
  recipe.consistency_weight = 0.02;
  CHECK_THROWS_WITH(engine::train_classifier(*model, images, labels, recipe, 0, unlabelled),
                    Catch::Contains("consistency_training"));
}

// Blobs are learnt in a few hundred steps; the cosine schedule averages half
// the rate, so these short trainings start from a larger one.
const auto recipe_for_blobs = train.epochs(20).min_steps(150).lr(3e-3);

TEST_CASE("mcdal runs end to end and its picks are its own", "[mcdal][slow]") {
  const auto report = run(initial(random, 20) | recipe_for_blobs | cycle(2, query(mcdal, 20)),
                          blobs_config("mcdal"));
  const auto reference = run(initial(random, 20) | recipe_for_blobs | cycle(2, query(entropy, 20)),
                             blobs_config("mcdal-entropy"));
  REQUIRE(report.cycles.size() == 3);
  CHECK(report.cycles.back().accuracy > 0.9);
  CHECK(report.cycles[0].queried == reference.cycles[0].queried);  // the same initial set
  CHECK(report.cycles[1].queried != reference.cycles[1].queried);
}

TEST_CASE("tod is random in its first query, then scores against the previous model",
          "[tod][slow]") {
  const auto tod_run = run(initial(random, 20) | recipe_for_blobs | cycle(3, query(tod, 20)),
                           blobs_config("tod"));
  // The same warm-started recipe with random queries: tod's first query
  // must be exactly random's (same seed stream), its later ones not.
  const auto random_run =
      run(initial(random, 20) | recipe_for_blobs.warm_start() | cycle(3, query(random, 20)),
          blobs_config("tod-random"));
  REQUIRE(tod_run.cycles.size() == 4);
  CHECK(tod_run.cycles[1].queried == random_run.cycles[1].queried);
  CHECK(tod_run.cycles[2].queried != random_run.cycles[2].queried);
  CHECK(tod_run.cycles.back().accuracy > 0.9);
  // Warm start: the plan says so, and the run follows it (accuracy of cycle
  // 1 then equals the warm-started random run's, which labelled the same).
  CHECK(tod_run.cycles[1].accuracy == random_run.cycles[1].accuracy);
}

TEST_CASE("train.cod() trains with any strategy and is deterministic", "[cod][slow]") {
  const auto pipeline = initial(random, 20) | recipe_for_blobs.cod(0.05) | cycle(2, query(entropy, 20));
  const auto a = run(pipeline, blobs_config("cod-a"));
  const auto b = run(pipeline, blobs_config("cod-b"));
  const auto plain = run(initial(random, 20) | recipe_for_blobs | cycle(2, query(entropy, 20)),
                         blobs_config("cod-plain"));
  REQUIRE(a.cycles.size() == 3);
  CHECK(a.cycles.back().accuracy > 0.9);
  for (std::size_t i = 0; i < a.cycles.size(); ++i) {
    CHECK(a.cycles[i].queried == b.cycles[i].queried);
    CHECK(a.cycles[i].accuracy == b.cycles[i].accuracy);
  }
  // The consistency terms change the training, so the model differs.
  CHECK(a.cycles[1].queried != plain.cycles[1].queried);
}

}  // namespace discrepancy_test
