// The whole loop on synthetic blobs: it learns, it is deterministic, it
// writes its results, and it refuses what it cannot do.

#include "test_device.hpp"
#include "test_files.hpp"

#include <al/al.hpp>
#include <al/engine/model.hpp>
#include <al/engine/training.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace loop_test {

using namespace al;
using al::random;
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) { return al_test::named_scratch_folder("loop", name); }

config blobs_config(const std::string& name, std::uint64_t seed = 0) {
  config c;
  c.data.name = "blobs";
  c.seed = seed;
  c.device = al_test::test_device();
  c.results_dir = scratch(name);
  c.verbose = false;
  return c;
}

const auto small_pipeline = initial(random, 20) | train.epochs(30).min_steps(200) |
                            cycle(2, query(entropy, 20));

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("a pipeline on blobs learns far above chance and records every cycle",
          "[loop][slow]") {
  const auto report = run(small_pipeline, blobs_config("learns"));
  REQUIRE(report.cycles.size() == 3);
  CHECK(report.cycles[0].labelled == 20);
  CHECK(report.cycles[2].labelled == 60);
  CHECK(report.cycles.back().accuracy > 0.9);  // 4 classes: chance is 0.25
  // Where it ran, by name: cpu, or cuda:0 for "cuda" (its index always written).
  const auto asked = al_test::test_device();
  CHECK(report.device == (asked == "cuda" ? std::string("cuda:0") : asked));
  for (const auto& cycle : report.cycles) {
    CHECK(cycle.queried.size() == 20);
    CHECK(cycle.per_class_accuracy.size() == 4);
    std::int64_t histogram_total = 0;
    for (auto n : cycle.query_class_histogram) histogram_total += n;
    CHECK(histogram_total == 20);
  }
  std::set<std::int64_t> all;
  for (const auto& cycle : report.cycles) all.insert(cycle.queried.begin(), cycle.queried.end());
  CHECK(all.size() == 60);  // no sample labelled twice

  SECTION("the results folder holds the plan, config, versions and one line per cycle") {
    const auto folder = report.folder;
    CHECK(folder.filename() == "entropy-seed0");
    CHECK(fs::exists(folder / "plan.txt"));
    CHECK(fs::exists(folder / "config.json"));
    CHECK(fs::exists(folder / "versions.json"));
    const auto lines = lines_of(folder / "cycles.jsonl");
    REQUIRE(lines.size() == 3);
    CHECK_THAT(lines[1], Catch::StartsWith("{\"cycle\":1,\"labelled\":40,\"accuracy\":"));
    CHECK_THAT(lines[1], Catch::Contains("\"seconds\":{\"train\":"));
    std::ifstream plan(folder / "plan.txt");
    std::string first_line;
    std::getline(plan, first_line);
    CHECK(first_line == "plan: 2 cycles, 60 labels in all; scoring pass computes: probs");
  }
}

TEST_CASE("the same seed gives the same run; another seed another initial set",
          "[loop][determinism][slow]") {
  const auto a = run(small_pipeline, blobs_config("same-a"));
  const auto b = run(small_pipeline, blobs_config("same-b"));
  REQUIRE(a.cycles.size() == b.cycles.size());
  for (std::size_t i = 0; i < a.cycles.size(); ++i) {
    CHECK(a.cycles[i].queried == b.cycles[i].queried);
    CHECK(a.cycles[i].accuracy == b.cycles[i].accuracy);
  }
  const auto other = run(small_pipeline, blobs_config("same-c", 1));
  CHECK(other.cycles[0].queried != a.cycles[0].queried);

  SECTION("strategies under one seed share the initial set and the first model") {
    const auto margin_run =
        run(initial(random, 20) | train.epochs(30).min_steps(200) | cycle(2, query(margin, 20)),
            blobs_config("same-d"));
    CHECK(margin_run.cycles[0].queried == a.cycles[0].queried);
    CHECK(margin_run.cycles[0].accuracy == a.cycles[0].accuracy);
  }
}

/// The smallest possible user model: a linear embedding and a linear head.
struct tiny_user_model : engine::classifier {
  torch::nn::Linear body{nullptr}, out{nullptr};
  tiny_user_model(std::int64_t inputs, std::int64_t classes)
      : body(register_module("body", torch::nn::Linear(inputs, 16))),
        out(register_module("out", torch::nn::Linear(16, classes))) {}
  torch::Tensor embed(const torch::Tensor& x) override { return torch::tanh(body(x.flatten(1))); }
  torch::Tensor head(const torch::Tensor& h) override { return out(h); }
};

TEST_CASE("a user's own model runs the whole loop", "[loop][model]") {
  auto c = blobs_config("user-model");
  int built = 0;
  c.custom_model = [&built](const engine::input_shape& shape) {
    ++built;
    CHECK(shape.num_classes == 4);
    return std::make_shared<tiny_user_model>(shape.channels * shape.height * shape.width,
                                             shape.num_classes);
  };
  // A linear model learns more slowly than the built-in MLP: a larger rate.
  const auto report = run(initial(random, 20) | train.epochs(30).min_steps(200).lr(0.01) |
                              cycle(2, query(entropy, 20)),
                          c);
  CHECK(built == 1);
  CHECK(report.cycles.back().accuracy > 0.9);
}

TEST_CASE("a typed pipeline and the same pipeline parsed from text give identical runs",
          "[loop][parse]") {
  const auto typed = run(small_pipeline, blobs_config("typed"));
  const auto parsed = run_plan(parse(to_string(small_pipeline)), blobs_config("parsed"));
  REQUIRE(typed.cycles.size() == parsed.cycles.size());
  for (std::size_t i = 0; i < typed.cycles.size(); ++i) {
    CHECK(typed.cycles[i].queried == parsed.cycles[i].queried);
    CHECK(typed.cycles[i].accuracy == parsed.cycles[i].accuracy);
  }
}

TEST_CASE("set selectors and combinators run the loop and return distinct new samples",
          "[loop][select][slow]") {
  const auto check = [](const run_report& report, std::size_t per_query) {
    std::set<std::int64_t> all;
    for (const auto& cycle : report.cycles) {
      CHECK(cycle.queried.size() == per_query);
      all.insert(cycle.queried.begin(), cycle.queried.end());
    }
    CHECK(all.size() == per_query * report.cycles.size());
    CHECK(report.cycles.back().accuracy > 0.85);
  };
  const auto recipe = train.epochs(30).min_steps(200);
  check(run(initial(random, 20) | recipe | cycle(2, query(coreset, 20)), blobs_config("coreset")), 20);
  check(run(initial(random, 20) | recipe | cycle(2, query(badge, 20)), blobs_config("badge")), 20);
  check(run(initial(random, 20) | recipe | cycle(2, query(prefilter(entropy, 3) >> coreset, 20)),
            blobs_config("prefilter")),
        20);
  const auto mixed = run(initial(random, 20) | recipe | cycle(2, query(mix(entropy, random, 0.5), 20)),
                         blobs_config("mix"));
  check(mixed, 20);
  SECTION("mix takes r·b by the first strategy: its first half is entropy's top 10") {
    const auto by_entropy = run(initial(random, 20) | recipe | cycle(1, query(entropy, 10)),
                                blobs_config("mix-reference"));
    const std::vector<std::int64_t> first_half(mixed.cycles[1].queried.begin(),
                                               mixed.cycles[1].queried.begin() + 10);
    CHECK(first_half == by_entropy.cycles[1].queried);
  }
}

TEST_CASE("the scoring pass fills exactly the outputs the plan needs", "[loop][scoring]") {
  engine::input_shape shape{1, 1, 8, 3};
  auto model = engine::make_mlp(shape);
  const auto images = torch::randn({50, 1, 1, 8});
  const auto indices = torch::arange(0, 50, 2);
  const auto nothing = engine::scoring_pass(*model, images, indices, needs_set{});
  CHECK_FALSE(nothing.probs.defined());
  CHECK_FALSE(nothing.embedding.defined());
  const auto probs = engine::scoring_pass(*model, images, indices, need::probs, 7);
  REQUIRE(probs.probs.defined());
  CHECK_FALSE(probs.embedding.defined());
  CHECK(probs.probs.sizes() == torch::IntArrayRef{25, 3});
  CHECK(torch::allclose(probs.probs.sum(1), torch::ones({25})));
  // Batched in blocks of 7, yet identical to one pass over the same rows.
  torch::NoGradGuard no_grad;
  model->eval();
  const auto direct = torch::softmax(model->forward(images.index_select(0, indices)), 1);
  CHECK(torch::allclose(probs.probs, direct, 1e-5, 1e-6));
  const auto both = engine::scoring_pass(*model, images, indices, needs_set{need::probs} | need::embedding);
  CHECK(both.embedding.sizes() == torch::IntArrayRef{25, 64});
}

TEST_CASE("runs that cannot work stop with a clear message", "[loop][errors]") {
  SECTION("a query larger than the unlabelled pool") {
    auto c = blobs_config("too-large");
    c.data.blobs_train_per_class = 10;  // a pool of 40
    CHECK_THROWS_WITH(run(initial(random, 20) | cycle(1, query(entropy, 30)), c),
                      Catch::StartsWith("AL017: the plan labels 50 samples in all but the pool holds 40"));
  }
  SECTION("an unknown built-in model") {
    auto c = blobs_config("bad-model");
    c.model = "resnet9000";
    CHECK_THROWS_WITH(run(small_pipeline, c), Catch::Contains("unknown model \"resnet9000\""));
  }
  SECTION("an unknown device") {
    auto c = blobs_config("bad-device");
    c.device = "tpu";
    CHECK_THROWS_WITH(run(small_pipeline, c),
                      Catch::Contains("use \"auto\", \"cpu\", \"cuda\" or \"cuda:N\""));
  }
  SECTION("cuda on a machine without it") {
    if (!torch::cuda::is_available()) {
      auto c = blobs_config("no-cuda");
      c.device = "cuda";
      CHECK_THROWS_WITH(run(small_pipeline, c), Catch::Contains("sees no CUDA device"));
    }
  }
  SECTION("a loss that is not a number") {
    auto model = engine::make_mlp({1, 1, 4, 2});
    auto images = torch::randn({8, 1, 1, 4});
    images[3][0][0][1] = std::nan("");
    const auto labels = torch::zeros({8}, torch::kLong);
    CHECK_THROWS_WITH(engine::train_classifier(*model, images, labels, train_recipe{}, 0),
                      Catch::Contains("training diverged") && Catch::Contains("lower the learning rate"));
  }
}

TEST_CASE("the learning-rate schedule starts at lr and reaches its final rate at the last step",
          "[loop][schedule]") {
  train_recipe recipe;
  recipe.learning_rate = 0.02;
  constexpr std::int64_t total = 9;
  const auto rates = [&](lr_schedule schedule) {
    recipe.schedule = schedule;
    std::vector<double> out;
    for (std::int64_t step = 0; step < total; ++step) {
      out.push_back(engine::scheduled_learning_rate(recipe, step, total));
    }
    return out;
  };
  const auto cosine = rates(lr_schedule::cosine);
  CHECK(cosine.front() == 0.02);
  CHECK(cosine[4] == Approx(0.01));  // half way along the half cosine
  CHECK(cosine.back() == Approx(0.0).margin(1e-18));
  CHECK(std::is_sorted(cosine.rbegin(), cosine.rend()));
  // step: lr for steps 0-4 (2·step < 9), lr/10 for 5-6, lr/100 from 7 (4·step ≥ 27).
  const auto step = rates(lr_schedule::step);
  CHECK(step == std::vector<double>{0.02, 0.02, 0.02, 0.02, 0.02, 0.002, 0.002, 0.0002, 0.0002});
  CHECK(rates(lr_schedule::constant) == std::vector<double>(total, 0.02));
  recipe.schedule = lr_schedule::cosine;
  CHECK(engine::scheduled_learning_rate(recipe, 0, 1) == 0.02);
  CHECK_THROWS_AS(engine::scheduled_learning_rate(recipe, total, total), std::out_of_range);
  CHECK_THROWS_AS(engine::scheduled_learning_rate(recipe, -1, total), std::out_of_range);

  // A real training takes its last step at the schedule's final rate,
  // however its steps fall into epochs (10 samples, batches of 4: 3 steps an
  // epoch, min_steps rounds up to whole epochs).
  const auto images = torch::randn({10, 1, 1, 4});
  const auto labels = torch::randint(2, {10}, torch::kLong);
  recipe.batch_size = 4;
  recipe.epochs = 2;
  recipe.min_steps = 10;
  for (const auto [schedule, last_rate] :
       {std::pair{lr_schedule::cosine, 0.0}, std::pair{lr_schedule::step, 0.0002},
        std::pair{lr_schedule::constant, 0.02}}) {
    CAPTURE(to_string(schedule));
    recipe.schedule = schedule;
    auto model = engine::make_mlp({1, 1, 4, 2});
    const auto summary = engine::train_classifier(*model, images, labels, recipe, 0);
    CHECK(summary.steps == 12);
    CHECK(summary.last_learning_rate == Approx(last_rate).margin(1e-18));
  }
}

}  // namespace loop_test
