// BALD: the score on hand-made passes, the MC-dropout scoring pass (head
// only or whole model, batch norm in eval, seeded masks) and a run on blobs.

#include "test_device.hpp"
#include <al/al.hpp>
#include <al/engine/model.hpp>
#include <al/engine/selection.hpp>
#include <al/engine/training.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace bald_test {

using namespace al::engine;
namespace fs = std::filesystem;

/// A classifier whose only dropout is the engine's head dropout. It counts
/// how often its encoder runs, and can claim a stochastic encoder to force
/// the whole-model passes on the very same weights.
struct counting_net : classifier {
  torch::nn::Linear body{nullptr}, out{nullptr};
  int embed_calls = 0;
  bool claims_stochastic_encoder = false;

  counting_net()
      : body(register_module("body", torch::nn::Linear(6, 16))),
        out(register_module("out", torch::nn::Linear(16, 3))) {}
  torch::Tensor embed(const torch::Tensor& images) override {
    ++embed_calls;
    return torch::relu(body(images.flatten(1)));
  }
  torch::Tensor head(const torch::Tensor& embedding) override { return out(embedding); }
  bool stochastic_encoder() const override { return claims_stochastic_encoder; }
};

/// A user's model with dropout and batch norm inside its encoder.
struct dropout_net : classifier {
  torch::nn::Linear body{nullptr}, out{nullptr};
  torch::nn::BatchNorm1d norm{nullptr};
  torch::nn::Dropout drop{nullptr};
  int embed_calls = 0;

  dropout_net()
      : body(register_module("body", torch::nn::Linear(6, 16))),
        out(register_module("out", torch::nn::Linear(16, 3))),
        norm(register_module("norm", torch::nn::BatchNorm1d(16))),
        drop(register_module("drop", torch::nn::Dropout(0.3))) {}
  torch::Tensor embed(const torch::Tensor& images) override {
    ++embed_calls;
    return drop(torch::relu(norm(body(images.flatten(1)))));
  }
  torch::Tensor head(const torch::Tensor& embedding) override { return out(embedding); }
};

/// Sees what the head is given: h(x) = 1 everywhere, so the head's input is
/// the dropout mask itself.
struct mask_probe : classifier {
  torch::Tensor head_input;
  torch::Tensor embed(const torch::Tensor& images) override {
    return torch::ones({images.size(0), 64});
  }
  torch::Tensor head(const torch::Tensor& embedding) override {
    head_input = embedding;
    return torch::zeros({embedding.size(0), 2});
  }
};

/// 50 images of 1×1×6: four blocks of 16 (the last one short).
torch::Tensor made_images() {
  torch::manual_seed(3);
  return torch::randn({50, 1, 1, 6});
}

torch::Tensor all_rows() { return torch::arange(50, torch::kLong); }
constexpr std::int64_t block = 16;
constexpr std::int64_t blocks = 4;

/// [U, T, K] from per-sample lists of passes.
torch::Tensor passes(std::initializer_list<double> values, std::int64_t samples,
                     std::int64_t passes_per_sample, std::int64_t classes) {
  return torch::tensor(std::vector<double>(values), torch::kDouble)
      .reshape({samples, passes_per_sample, classes});
}

double binary_entropy(double p) { return -(p * std::log(p) + (1 - p) * std::log(1 - p)); }

TEST_CASE("BALD is 0 when every pass agrees, however flat the prediction", "[select][bald]") {
  const auto agreeing = torch::tensor({0.5, 0.5, 0.2, 0.8, 1.0, 0.0}, torch::kDouble)
                            .reshape({3, 1, 2})
                            .expand({3, 7, 2});
  const auto scores = bald_scores(agreeing);
  REQUIRE(scores.sizes().vec() == std::vector<std::int64_t>{3});
  for (int i = 0; i < 3; ++i) CHECK(scores[i].item<double>() == Approx(0.0).margin(1e-12));
}

TEST_CASE("BALD matches a hand computation and ranks disagreement, not flatness",
          "[select][bald]") {
  // 0: passes [1,0] and [0,1]: H(mean) = log 2, mean H = 0 (0 log 0 = 0).
  // 1: passes [0.9,0.1] and [0.1,0.9]: log 2 - H(0.9).
  // 2: both passes [0.5,0.5]: the flattest prediction, but no disagreement.
  const auto mc = passes({1.0, 0.0, 0.0, 1.0,  //
                          0.9, 0.1, 0.1, 0.9,  //
                          0.5, 0.5, 0.5, 0.5},
                         3, 2, 2);
  const auto scores = bald_scores(mc);
  CHECK(scores[0].item<double>() == Approx(std::log(2.0)));  // not NaN
  CHECK(scores[1].item<double>() == Approx(std::log(2.0) - binary_entropy(0.9)));
  CHECK(scores[2].item<double>() == Approx(0.0).margin(1e-12));
  const auto order = top_k(scores, 3);
  CHECK(order[0].item<std::int64_t>() == 0);
  CHECK(order[1].item<std::int64_t>() == 1);
  // Entropy of the mean alone would tie all three at log 2.
  CHECK(entropy_scores(mc.mean(1))[2].item<double>() == Approx(std::log(2.0)));
}

TEST_CASE("the registry's bald returns the pass's mutual information", "[select][bald][registry]") {
  pool_outputs outputs;
  outputs.probs = torch::full({4, 3}, 1.0 / 3);
  const selection_context context{4, 0, 1};
  CHECK_THROWS_WITH(find_scorer("bald")(outputs, context),
                    Catch::Contains("no mutual information"));
  outputs.mutual_information = torch::tensor({0.1, 0.4, 0.0, 0.2});
  CHECK(torch::equal(find_scorer("bald")(outputs, context), outputs.mutual_information));
}

TEST_CASE("head dropout acts in training mode only and is checked", "[model][bald]") {
  torch::manual_seed(0);
  auto model = make_mlp({1, 1, 8, 4});
  CHECK_FALSE(has_dropout(*model));
  CHECK_FALSE(model->stochastic_encoder());  // a built-in model: its encoder is deterministic
  CHECK(model->head_dropout() == 0);
  CHECK_THROWS_WITH(model->set_head_dropout(1.0), Catch::Contains("[0, 1)"));
  CHECK_THROWS_WITH(model->set_head_dropout(-0.1), Catch::Contains("[0, 1)"));
  model->set_head_dropout(mc_head_dropout);
  CHECK(model->head_dropout() == 0.5);
  CHECK_FALSE(model->stochastic_encoder());  // the head dropout is no module

  torch::NoGradGuard no_grad;
  const auto x = torch::randn({32, 1, 1, 8});
  model->eval();
  CHECK(torch::equal(model->forward(x), model->forward(x)));
  model->train();
  CHECK_FALSE(torch::equal(model->forward(x), model->forward(x)));

  dropout_net user;
  CHECK(has_dropout(user));
  CHECK(user.stochastic_encoder());
}

TEST_CASE("the head-only MC pass runs the encoder once per block and is seeded",
          "[select][bald][pass]") {
  counting_net model;
  model.set_head_dropout(0.5);
  const auto images = made_images();
  const auto needs = al::bald_t::needs;

  torch::manual_seed(1);  // Torch's global generator must not matter
  const auto a = scoring_pass(model, images, all_rows(), needs, block, 5, 7);
  CHECK(model.embed_calls == blocks);  // not 5 passes × 4 blocks
  REQUIRE(a.mutual_information.defined());
  CHECK(a.mutual_information.sizes().vec() == std::vector<std::int64_t>{50});
  CHECK(torch::isfinite(a.mutual_information).all().item<bool>());
  CHECK(a.mutual_information.min().item<double>() > -1e-6);  // mutual information ≥ 0
  CHECK(a.mutual_information.max().item<double>() > 1e-3);   // the passes did disagree
  CHECK(a.probs.sizes().vec() == std::vector<std::int64_t>{50, 3});
  CHECK_FALSE(a.embedding.defined());  // only what was asked for

  torch::manual_seed(2);
  const auto again = scoring_pass(model, images, all_rows(), needs, block, 5, 7);
  CHECK(torch::equal(a.mutual_information, again.mutual_information));
  const auto other_seed = scoring_pass(model, images, all_rows(), needs, block, 5, 8);
  CHECK_FALSE(torch::equal(a.mutual_information, other_seed.mutual_information));

  // The deterministic prediction stays the eval-mode softmax.
  torch::NoGradGuard no_grad;
  model.eval();
  CHECK(torch::allclose(a.probs, torch::softmax(model.forward(images), 1)));
}

TEST_CASE("head-dropout masks drop a fraction p, scaled by 1/(1-p), fresh per pass and sample",
          "[select][bald][pass]") {
  mask_probe model;
  model.set_head_dropout(0.3);
  scoring_pass(model, made_images(), all_rows(), al::need::mc_dropout, 64, 5, 1);
  const auto masks = model.head_input.view({50, 5, 64});  // one block of 50
  const auto dropped = masks.eq(0).to(torch::kDouble).mean().item<double>();
  CHECK(dropped == Approx(0.3).margin(0.015));  // 16000 entries: 4 standard deviations
  const auto kept = masks.masked_select(masks.ne(0));
  CHECK(kept.min().item<double>() == Approx(1 / 0.7).epsilon(1e-4));
  CHECK(kept.max().item<double>() == Approx(1 / 0.7).epsilon(1e-4));
  CHECK_FALSE(torch::equal(masks[0][0], masks[0][1]));  // passes differ
  CHECK_FALSE(torch::equal(masks[0][0], masks[1][0]));  // samples differ
}

TEST_CASE("the head-only MC pass equals T whole passes on a deterministic encoder",
          "[select][bald][pass]") {
  counting_net model;
  model.set_head_dropout(0.5);
  const auto images = made_images();
  const auto head_only = scoring_pass(model, images, all_rows(), al::bald_t::needs, block, 5, 11);
  REQUIRE(model.embed_calls == blocks);

  model.embed_calls = 0;
  model.claims_stochastic_encoder = true;
  const auto full = scoring_pass(model, images, all_rows(), al::bald_t::needs, block, 5, 11);
  // One deterministic pass for the probabilities, then 5 sampled passes.
  CHECK(model.embed_calls == blocks * (1 + 5));
  // The same masks on the same embeddings: equal up to the head's GEMM
  // being batched differently.
  CHECK(torch::allclose(head_only.mutual_information, full.mutual_information, 1e-4, 1e-6));
  CHECK(torch::allclose(head_only.probs, full.probs));
}

TEST_CASE("a model with dropout in its encoder gets whole passes with batch norm in eval mode",
          "[select][bald][pass]") {
  torch::manual_seed(0);
  dropout_net model;
  {
    // Give batch norm running statistics that differ from a fresh batch's.
    torch::NoGradGuard no_grad;
    model.train();
    for (int i = 0; i < 5; ++i) model.forward(torch::randn({64, 1, 1, 6}) * 3 + 1);
  }
  const auto running_mean = model.norm->running_mean.clone();
  const auto running_var = model.norm->running_var.clone();
  const auto tracked = model.norm->num_batches_tracked.clone();

  const auto out =
      scoring_pass(model, made_images(), all_rows(), al::need::mc_dropout, block, 6, 3);
  CHECK(model.embed_calls == 5 + blocks * 6);
  // Batch norm in training mode would have updated its statistics.
  CHECK(torch::equal(model.norm->running_mean, running_mean));
  CHECK(torch::equal(model.norm->running_var, running_var));
  CHECK(torch::equal(model.norm->num_batches_tracked, tracked));
  // Only the model's own dropout was sampled (no head dropout), so scores
  // above 0 show its dropout module was in training mode.
  CHECK(model.head_dropout() == 0);
  CHECK(out.mutual_information.max().item<double>() > 1e-3);
  CHECK_FALSE(model.is_training());
  CHECK_FALSE(model.drop->is_training());  // back in eval mode after the pass
  CHECK_FALSE(out.probs.defined());        // only what was asked for
}

TEST_CASE("an MC pass without dropout or with one pass is refused", "[select][bald][pass]") {
  counting_net model;  // head dropout 0, no dropout module
  const auto images = made_images();
  CHECK_THROWS_WITH(scoring_pass(model, images, all_rows(), al::bald_t::needs, block, 20, 0),
                    Catch::Contains("no dropout module and no head dropout") &&
                        Catch::Contains("set_head_dropout"));
  model.set_head_dropout(0.5);
  CHECK_THROWS_WITH(scoring_pass(model, images, all_rows(), al::bald_t::needs, block, 1, 0),
                    Catch::Contains("at least 2 stochastic passes (got 1)"));
}

al::config blobs_config(const std::string& name) {
  al::config c;
  c.data.name = "blobs";
  c.device = al_test::test_device();
  c.results_dir = fs::temp_directory_path() / ("alpipe-bald-test-" + name);
  fs::remove_all(c.results_dir);
  c.verbose = false;
  return c;
}

TEST_CASE("a bald pipeline on blobs learns and is deterministic under its seed",
          "[loop][bald][slow]") {
  using namespace al;
  using al::random;
  const auto pipeline =
      initial(random, 20) | train.epochs(30).min_steps(200) | cycle(2, query(bald, 20));
  const auto report = run(pipeline, blobs_config("learns"));
  REQUIRE(report.cycles.size() == 3);
  CHECK(report.cycles.back().labelled == 60);
  CHECK(report.cycles.back().accuracy > 0.9);  // 4 classes: chance is 0.25
  CHECK(report.folder.filename() == "bald-seed0");
  for (const auto& cycle : report.cycles) CHECK(cycle.queried.size() == 20);

  const auto again = run(pipeline, blobs_config("again"));
  for (std::size_t i = 0; i < report.cycles.size(); ++i) {
    CHECK(again.cycles[i].queried == report.cycles[i].queried);
  }
}

}  // namespace bald_test
