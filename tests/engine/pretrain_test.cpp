// Self-supervised pretraining: the augmentations, SimSiam's loss and its
// stop-gradient, rotations, PT4AL's batches and selection, the linear probe,
// and the cache of pretrained encoders (hit, and rebuilt after corruption).

#include "test_device.hpp"
#include "test_files.hpp"

#include <al/al.hpp>
#include <al/engine/model.hpp>
#include <al/engine/pretrain.hpp>
#include <al/engine/set_selection.hpp>
#include <al/engine/training.hpp>
#include <al/pretrain_cache.hpp>

#include <ATen/CPUGeneratorImpl.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <numeric>
#include <set>

namespace pretrain_test {

using namespace al;
using al::random;
using al_test::temp_folder;
namespace fs = std::filesystem;

torch::Tensor pixels(std::int64_t batch, std::int64_t channels, std::int64_t side,
                     std::uint64_t seed = 1) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::rand({batch, channels, side, side}, generator);
}

torch::Tensor view_of(const torch::Tensor& images, std::uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return engine::augment(images, engine::augmentation{}, generator);
}

TEST_CASE("augmentations keep shape and pixel range, and follow their seed", "[pretrain]") {
  for (const std::int64_t channels : {1, 3}) {
    const auto images = pixels(16, channels, 28);
    const auto a = view_of(images, 7);
    CHECK(a.sizes() == images.sizes());
    CHECK(a.min().item<float>() >= 0.0f);
    CHECK(a.max().item<float>() <= 1.0f);
    CHECK(torch::equal(a, view_of(images, 7)));       // same seed, same views
    CHECK_FALSE(torch::allclose(a, view_of(images, 8)));  // another seed, other views
    CHECK_FALSE(torch::allclose(a, images));  // it did change the images
  }
}

TEST_CASE("a crop of the whole image without jitter is the identity, a flip mirrors",
          "[pretrain]") {
  engine::augmentation none;
  none.min_crop_scale = 1.0;
  none.max_aspect = 1.0;
  none.jitter_probability = 0;
  none.flip = false;
  const auto images = pixels(4, 1, 12);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
  CHECK(torch::allclose(engine::augment(images, none, generator), images, 1e-5, 1e-5));

  // With flips on, every output is the image or its mirror.
  none.flip = true;
  const auto flipped = engine::augment(images, none, generator);
  for (std::int64_t i = 0; i < 4; ++i) {
    const bool same = torch::allclose(flipped[i], images[i], 1e-5, 1e-5);
    const bool mirrored = torch::allclose(flipped[i], images[i].flip({2}), 1e-5, 1e-5);
    CHECK((same || mirrored));
  }
}

TEST_CASE("augmentations refuse data that are not images", "[pretrain][errors]") {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
  CHECK_THROWS_WITH(engine::augment(torch::rand({4, 1, 1, 8}), {}, generator),
                    Catch::Contains("at least 8x8") && Catch::Contains("image data"));
}

TEST_CASE("SimSiam's loss is -1 for identical directions and stops the gradient at z",
          "[pretrain]") {
  const auto z = torch::randn({5, 6});
  CHECK(engine::simsiam_loss(z, 3 * z, z, 2 * z).item<double>() == Approx(-1.0));
  CHECK(engine::simsiam_loss(z, z, -z, -z).item<double>() == Approx(1.0));

  auto p1 = torch::randn({5, 6}, torch::requires_grad());
  auto p2 = torch::randn({5, 6}, torch::requires_grad());
  auto z1 = torch::randn({5, 6}, torch::requires_grad());
  auto z2 = torch::randn({5, 6}, torch::requires_grad());
  engine::simsiam_loss(p1, p2, z1, z2).backward();
  CHECK_FALSE(z1.grad().defined());  // the stop-gradient
  CHECK_FALSE(z2.grad().defined());
  REQUIRE(p1.grad().defined());

  // The gradient at p1 is that of ½·mean(-cos(p1, z2)) with z2 a constant:
  // a central finite difference agrees.
  torch::NoGradGuard no_grad;
  const double h = 1e-3;
  auto loss_at = [&](const torch::Tensor& p) {
    return engine::simsiam_loss(p.to(torch::kDouble), p2.to(torch::kDouble),
                                z1.to(torch::kDouble), z2.to(torch::kDouble))
        .item<double>();
  };
  for (const auto& [row, col] : {std::pair{0, 0}, std::pair{3, 4}}) {
    auto plus = p1.detach().clone();
    auto minus = p1.detach().clone();
    plus[row][col] += h;
    minus[row][col] -= h;
    const double numeric = (loss_at(plus) - loss_at(minus)) / (2 * h);
    CHECK(p1.grad()[row][col].item<double>() == Approx(numeric).margin(1e-4));
  }
}

TEST_CASE("four quarter turns are the identity; one turns a known image", "[pretrain]") {
  const auto images = pixels(3, 2, 9);
  CHECK(torch::equal(engine::rotate(images, 4), images));
  CHECK(torch::equal(engine::rotate(engine::rotate(images, 1), 3), images));
  CHECK_FALSE(torch::equal(engine::rotate(images, 1), images));
  // [[1, 2], [3, 4]] turned a quarter counter-clockwise is [[2, 4], [1, 3]].
  const auto small = torch::tensor({1.f, 2.f, 3.f, 4.f}).view({1, 1, 2, 2});
  CHECK(torch::equal(torch::rot90(small, 1, {2, 3}),
                     torch::tensor({2.f, 4.f, 1.f, 3.f}).view({1, 1, 2, 2})));
  CHECK_THROWS_WITH(engine::rotate(torch::rand({1, 1, 8, 9}), 1), Catch::Contains("square"));
}

TEST_CASE("PT4AL's batches partition the pool in order of pretext loss", "[pretrain][pt4al]") {
  const auto loss = torch::rand({103}, at::make_generator<at::CPUGeneratorImpl>(5));
  const int rounds = 5;
  const auto batches = engine::pt4al_batches(loss, rounds);
  REQUIRE(batches.size(0) == 103);
  const auto sizes = torch::bincount(batches, {}, rounds);
  CHECK(sizes.sum().item<std::int64_t>() == 103);  // every sample in exactly one batch
  CHECK((sizes.max() - sizes.min()).item<std::int64_t>() <= 1);
  for (int b = 0; b + 1 < rounds; ++b) {
    // The hardest batch first: every loss of batch b is at least every loss of b + 1.
    const auto harder = loss.masked_select(batches == b).min().item<float>();
    const auto easier = loss.masked_select(batches == b + 1).max().item<float>();
    CHECK(harder >= easier);
  }
  // Numerically, not as text: 10 is harder than 9.
  const auto numeric = engine::pt4al_batches(torch::tensor({9.f, 10.f, 1.f, 2.f}), 2);
  CHECK(numeric[1].item<std::int64_t>() == 0);
  CHECK(numeric[0].item<std::int64_t>() == 0);
  CHECK(numeric[2].item<std::int64_t>() == 1);
}

TEST_CASE("pt4al takes an evenly spaced sample of batch 0, then batch k's most uncertain",
          "[pretrain][pt4al]") {
  const std::int64_t n = 40;
  engine::pool_outputs outputs;
  outputs.pretext_loss = torch::arange(n, 0, -1, torch::kFloat32);  // row 0 is the hardest
  outputs.pretext_batch = engine::pt4al_batches(outputs.pretext_loss, 4);  // 10 rows per batch
  // Confidence rises with the row, so least confidence prefers low rows.
  outputs.probs = torch::stack({torch::linspace(0.5, 0.99, n), 1 - torch::linspace(0.5, 0.99, n)}, 1);
  selector_spec pt4al_spec{"pt4al", needs_set{need::pretext_loss} | need::probs, "PT4AL"};
  pt4al_spec.inner = {to_spec(least_confidence)};
  std::vector<std::int64_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);

  engine::selection_inputs round0{&outputs, {}, 1, 0};
  CHECK(engine::pt4al_select(pt4al_spec, round0, rows, 5) == std::vector<std::int64_t>{0, 2, 4, 6, 8});

  engine::selection_inputs round2{&outputs, {}, 1, 2};
  CHECK(engine::pt4al_select(pt4al_spec, round2, rows, 3) == std::vector<std::int64_t>{20, 21, 22});

  // Batch 3 with only 2 unlabelled rows left: both, then the most uncertain
  // of the earlier batch 2.
  const std::vector<std::int64_t> few{5, 25, 26, 38, 39};
  engine::selection_inputs round3{&outputs, {}, 1, 3};
  const auto picks = engine::pt4al_select(pt4al_spec, round3, few, 3);
  CHECK(std::set<std::int64_t>(picks.begin(), picks.end()) == std::set<std::int64_t>{38, 39, 25});
}

TEST_CASE("a linear probe trains the head and leaves the encoder as it is", "[pretrain]") {
  engine::input_shape shape{1, 28, 28, 3};
  auto model = engine::make_small_cnn(shape);
  const auto images = torch::randn({24, 1, 28, 28});
  const auto labels = torch::arange(24, torch::kLong).remainder(3);
  train_recipe recipe;
  recipe.epochs = 2;
  recipe.min_steps = 0;
  // An earlier training (a previous cycle, or pretraining) leaves gradients
  // behind; the probe must not let the optimiser act on them.
  engine::train_classifier(*model, images, labels, recipe, 0);
  std::vector<torch::Tensor> before;
  for (const auto& p : model->named_parameters()) before.push_back(p.value().detach().clone());
  recipe.linear_probe = true;
  engine::train_classifier(*model, images, labels, recipe, 0);
  std::size_t k = 0;
  for (const auto& p : model->named_parameters()) {
    const bool in_head = p.key().rfind("head", 0) == 0;
    CAPTURE(p.key());
    CHECK(torch::equal(p.value(), before[k++]) != in_head);
  }
}

TEST_CASE("probe_first is a linear probe and then fine-tuning from its head", "[pretrain]") {
  engine::input_shape shape{1, 28, 28, 3};
  const auto images = torch::randn({24, 1, 28, 28});
  const auto labels = torch::arange(24, torch::kLong).remainder(3);
  train_recipe recipe;
  recipe.epochs = 2;
  recipe.min_steps = 0;
  recipe.batch_size = 8;
  // Three copies of one initialisation.
  const auto fresh = [&] {
    torch::manual_seed(3);
    return engine::make_small_cnn(shape);
  };
  auto lp_ft = fresh();
  auto by_hand = fresh();
  auto fine_tuned = fresh();

  auto asked = recipe;
  asked.probe_first = true;
  const auto summary = engine::train_classifier(*lp_ft, images, labels, asked, 7);
  CHECK(summary.steps == 2 * 2 * 3);  // two phases of 2 epochs of 3 batches
  auto probe = recipe;
  probe.linear_probe = true;
  engine::train_classifier(*by_hand, images, labels, probe, 7);
  engine::train_classifier(*by_hand, images, labels, recipe, 7);
  engine::train_classifier(*fine_tuned, images, labels, recipe, 7);

  const auto lp_ft_state = lp_ft->named_parameters();
  const auto by_hand_state = by_hand->named_parameters();
  const auto fine_tuned_state = fine_tuned->named_parameters();
  bool differs_from_fine_tuning = false;
  for (const auto& p : lp_ft_state) {
    CAPTURE(p.key());
    CHECK(torch::equal(p.value(), by_hand_state[p.key()]));
    differs_from_fine_tuning |= !torch::equal(p.value(), fine_tuned_state[p.key()]);
  }
  CHECK(differs_from_fine_tuning);

  asked.linear_probe = true;
  CHECK_THROWS_WITH(engine::train_classifier(*lp_ft, images, labels, asked, 7),
                    Catch::Contains("(AL036)"));
}

// --- whole runs: pretraining, the cache, PT4AL -----------------------------

struct tiny_run {
  temp_folder folder;
  config c;
  tiny_run() {
    al_test::write_tiny_image_folder(folder / "data", 3, 30, 10);
    c.data.name = "mnist";
    c.data.folder = folder / "data";
    c.device = al_test::test_device();
    c.results_dir = folder / "results";
    c.verbose = false;
  }
};

/// A pipeline's plan with a pretrain step in front (the engine's view of
/// `pretrain(...) | ...`).
plan with_pretraining(plan p, pretext kind) {
  pretrain_recipe recipe{kind};
  recipe.epochs = 2;
  recipe.batch_size = 32;
  recipe.projector_width = 32;
  recipe.predictor_width = 8;
  p.steps.insert(p.steps.begin(), pretrain_step{recipe});
  return p;
}

TEST_CASE("the pretraining cache is used on the second run and rebuilt when corrupt",
          "[pretrain][cache][slow]") {
  tiny_run setup;
  const auto p = with_pretraining(
      lower(initial(random, 9) | train.epochs(3).min_steps(20) | cycle(1, query(entropy, 6))),
      pretext::simsiam);
  const auto& recipe = *p.pretraining();
  const auto file = pretrain_cache_file(recipe, setup.c);
  CHECK_THAT(describe_pretrain_cache(recipe, setup.c), Catch::StartsWith("not cached yet"));

  setup.c.run_name = "first";
  const auto first = run_plan(p, setup.c);
  REQUIRE(first.pretraining);
  CHECK_FALSE(first.pretraining->from_cache);
  CHECK(first.pretraining->steps == 2 * (90 / 32));
  REQUIRE(fs::exists(file));
  CHECK_THAT(describe_pretrain_cache(recipe, setup.c), Catch::StartsWith("cached"));
  CHECK(fs::exists(first.folder / "pretraining.json"));

  setup.c.run_name = "second";
  const auto second = run_plan(p, setup.c);
  CHECK(second.pretraining->from_cache);
  REQUIRE(second.cycles.size() == first.cycles.size());
  for (std::size_t i = 0; i < first.cycles.size(); ++i) {
    CHECK(second.cycles[i].queried == first.cycles[i].queried);
    CHECK(second.cycles[i].accuracy == first.cycles[i].accuracy);
  }

  // Flip one byte in the payload: the checksum catches it, the run pretrains
  // again, and the rebuilt file is valid.
  {
    std::fstream damaged(file, std::ios::in | std::ios::out | std::ios::binary);
    damaged.seekp(-100, std::ios::end);
    char byte = 0;
    damaged.seekg(damaged.tellp());
    damaged.read(&byte, 1);
    damaged.seekp(-100, std::ios::end);
    byte = static_cast<char>(byte ^ 0x5a);
    damaged.write(&byte, 1);
  }
  CHECK_THAT(describe_pretrain_cache(recipe, setup.c), Catch::Contains("damaged"));
  // A run on a file it cannot use pretrains again, ends as the first run and
  // leaves a valid file.
  const auto pretrains_again_and_replaces = [&](const std::string& run_name) {
    setup.c.run_name = run_name;
    const auto again = run_plan(p, setup.c);
    CHECK_FALSE(again.pretraining->from_cache);
    CHECK(again.cycles.back().queried == first.cycles.back().queried);
    CHECK_THAT(describe_pretrain_cache(recipe, setup.c), Catch::StartsWith("cached"));
  };
  pretrains_again_and_replaces("third");

  // A truncated file is damaged too.
  fs::resize_file(file, fs::file_size(file) - 10);
  CHECK_THAT(describe_pretrain_cache(recipe, setup.c), Catch::Contains("not the size"));

  // A file whose header and checksum are right but whose payload is not a
  // LibTorch archive (another program wrote it): the run pretrains again.
  {
    std::ofstream foreign(file, std::ios::binary | std::ios::trunc);
    foreign << encode_pretrain_cache(pretrain_cache_key(recipe, setup.c), "not an archive");
  }
  CHECK_THAT(describe_pretrain_cache(recipe, setup.c), Catch::StartsWith("cached"));
  pretrains_again_and_replaces("fourth");

  // Another seed is another encoder: another file.
  auto other = setup.c;
  other.seed = 1;
  CHECK(pretrain_cache_file(recipe, other) != file);
}

TEST_CASE("a cached encoder trains as the freshly pretrained one, also under LP-FT",
          "[pretrain][cache][slow]") {
  tiny_run setup;
  const auto p = lower(pretrain(simsiam).epochs(2).batch_size(32).projector(32).predictor(8) |
                       initial(random, 9) | train.epochs(3).min_steps(20).probe_first() |
                       cycle(1, query(entropy, 6)));
  setup.c.run_name = "fresh";
  const auto fresh = run_plan(p, setup.c);
  setup.c.run_name = "cached";
  const auto cached = run_plan(p, setup.c);
  REQUIRE(cached.pretraining->from_cache);
  REQUIRE(cached.cycles.size() == fresh.cycles.size());
  for (std::size_t i = 0; i < fresh.cycles.size(); ++i) {
    CAPTURE(i);
    CHECK(cached.cycles[i].queried == fresh.cycles[i].queried);
    CHECK(cached.cycles[i].accuracy == fresh.cycles[i].accuracy);
  }
}

TEST_CASE("after pretraining, typiclust measures in the pretrained encoder's fixed embedding",
          "[pretrain][typiclust][slow]") {
  tiny_run setup;
  // Two recipes (10 and 40 steps) train different classifiers from the
  // same 9 labels; the encoder's embedding does not see them, so
  // typiclust's query is the same.
  const auto with_recipe = [](std::int64_t epochs) {
    return lower(pretrain(simsiam).epochs(2).batch_size(32).projector(32).predictor(8) |
                 initial(random, 9) | train.epochs(epochs).min_steps(10 * epochs) |
                 cycle(1, query(typiclust, 6)));
  };
  CHECK_THAT(explain(with_recipe(1)),
             Catch::Contains("encoder_embedding (the pretrained encoder's, computed once)"));
  setup.c.run_name = "short";
  const auto short_training = run_plan(with_recipe(1), setup.c);
  setup.c.run_name = "long";
  const auto long_training = run_plan(with_recipe(4), setup.c);
  REQUIRE(short_training.cycles.size() == 2);
  CHECK(short_training.cycles[1].queried == long_training.cycles[1].queried);
  // Without pretraining the embedding is the trained model's, and says so.
  CHECK_THAT(explain(initial(random, 9) | cycle(1, query(typiclust, 6))),
             Catch::Contains("encoder_embedding (the current model's: the plan does not pretrain)"));
}

TEST_CASE("pt4al after rotation pretraining labels batch k in cycle k", "[pretrain][pt4al][slow]") {
  tiny_run setup;
  setup.c.pretrain_cache = false;
  const auto p = parse(
      "pretrain(rotation).epochs(2).batch_size(32) | initial(pt4al(least_confidence), 9) | "
      "train.epochs(3).min_steps(20) | cycle(2, query(pt4al(least_confidence), 9))");
  const auto report = run_plan(p, setup.c);
  REQUIRE(report.pretraining);
  CHECK(report.pretraining->cache_file.empty());
  REQUIRE(report.cycles.size() == 3);
  // 90 pool images in 3 rounds: batches of 30. Each round's picks come from
  // its own batch, so no two rounds share a pick and all are distinct.
  std::set<std::int64_t> all;
  for (const auto& cycle : report.cycles) {
    CHECK(cycle.queried.size() == 9);
    all.insert(cycle.queried.begin(), cycle.queried.end());
  }
  CHECK(all.size() == 27);
}

TEST_CASE("pretraining on feature vectors is refused with the reason", "[pretrain][errors]") {
  config c;
  c.data.name = "blobs";
  c.device = al_test::test_device();
  c.verbose = false;
  temp_folder folder;
  c.results_dir = folder.path();
  const auto p = with_pretraining(lower(initial(random, 8)), pretext::simsiam);
  CHECK_THROWS_WITH(run_plan(p, c),
                    Catch::Contains("at least 8x8") && Catch::Contains("drop the pretrain stage"));
}

}  // namespace pretrain_test
