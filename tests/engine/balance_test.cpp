// Balance across classes: quotas, balanced(s), BASE's boundary distances,
// CBAL's greedy solver, the long-tailed pool, balanced accuracy, and runs.

#include "cbal_problem.hpp"
#include "test_device.hpp"
#include <al/al.hpp>
#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/set_selection.hpp>
#include <al/engine/training.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <string>

namespace balance_test {

using namespace al;
using al::random;
namespace fs = std::filesystem;

std::vector<std::int64_t> all_rows(std::int64_t n) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  return rows;
}

std::vector<std::int64_t> to_vector(const torch::Tensor& t) {
  const auto cpu = t.to(torch::kLong).contiguous();
  return {cpu.data_ptr<std::int64_t>(), cpu.data_ptr<std::int64_t>() + cpu.numel()};
}

/// Softmax of random logits whose argmax is `predicted[i]` for row i.
torch::Tensor probs_predicting(const std::vector<std::int64_t>& predicted, std::int64_t k,
                               std::uint64_t seed) {
  torch::manual_seed(seed);
  auto logits = torch::randn({static_cast<std::int64_t>(predicted.size()), k}, torch::kFloat64);
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    logits[static_cast<std::int64_t>(i)][predicted[i]] += 4.0;
  }
  return torch::softmax(logits, 1);
}

TEST_CASE("class quotas sum to the query and respect what each class has", "[balance][quotas]") {
  CHECK(engine::class_quotas(7, {10, 10, 10}) == std::vector<std::int64_t>{3, 2, 2});
  CHECK(engine::class_quotas(9, {10, 10, 10}) == std::vector<std::int64_t>{3, 3, 3});
  SECTION("a short class's quota goes to the others, round-robin in class order") {
    // 4, 3, 3 asked; class 1 has 1: its 2 go to class 0 then class 2.
    CHECK(engine::class_quotas(10, {5, 1, 5}) == std::vector<std::int64_t>{5, 1, 4});
    CHECK(engine::class_quotas(10, {0, 0, 20}) == std::vector<std::int64_t>{0, 0, 10});
  }
  SECTION("never more than there is") {
    CHECK(engine::class_quotas(10, {2, 3}) == std::vector<std::int64_t>{2, 3});
  }
  for (std::int64_t b : {1, 5, 17, 40}) {
    const std::vector<std::int64_t> available{3, 0, 12, 7, 30};
    const auto q = engine::class_quotas(b, available);
    CHECK(std::accumulate(q.begin(), q.end(), std::int64_t{0}) == b);
    for (std::size_t c = 0; c < q.size(); ++c) CHECK(q[c] <= available[c]);
  }
}

TEST_CASE("balanced(s) fills each predicted class's quota with its top by s",
          "[balance][balanced]") {
  // 30 candidates: 14 predicted 0, 14 predicted 1, only 2 predicted 2.
  std::vector<std::int64_t> predicted;
  for (int i = 0; i < 30; ++i) predicted.push_back(i < 2 ? 2 : i % 2);
  engine::pool_outputs outputs;
  outputs.probs = probs_predicting(predicted, 3, 7);
  engine::selection_inputs inputs{&outputs, {}, 0, 1, {}};
  const auto spec = balanced_spec(to_spec(entropy));
  const auto rows = all_rows(30);
  const auto picks = engine::select_rows(spec, inputs, rows, 12);
  REQUIRE(picks.size() == 12);
  CHECK(std::set<std::int64_t>(picks.begin(), picks.end()).size() == 12);

  // Quotas 4, 4, 4; class 2 has 2, so classes 0 and 1 take one more each.
  std::map<std::int64_t, std::vector<std::int64_t>> by_class;
  for (auto p : picks) by_class[predicted[static_cast<std::size_t>(p)]].push_back(p);
  CHECK(by_class[0].size() == 5);
  CHECK(by_class[1].size() == 5);
  CHECK(by_class[2].size() == 2);

  // Within a class: exactly its most uncertain members.
  const auto scores = engine::entropy_scores(outputs.probs);
  for (std::int64_t c = 0; c < 2; ++c) {
    std::vector<std::int64_t> members;
    for (std::int64_t i = 0; i < 30; ++i) {
      if (predicted[static_cast<std::size_t>(i)] == c) members.push_back(i);
    }
    const auto member_scores = scores.index_select(0, torch::tensor(members));
    const auto top = to_vector(engine::top_k(member_scores, 5));
    std::set<std::int64_t> expected;
    for (auto t : top) expected.insert(members[static_cast<std::size_t>(t)]);
    CHECK(std::set<std::int64_t>(by_class[c].begin(), by_class[c].end()) == expected);
  }
}

TEST_CASE("boundary distances match a hand computation on a 2-D linear head",
          "[balance][boundary]") {
  const auto w = torch::tensor({1.0, 0.0, 0.0, 1.0, -1.0, -1.0}, torch::kFloat64).view({3, 2});
  const auto b = torch::tensor({0.0, 0.5, 0.0}, torch::kFloat64);
  SECTION("one point by hand") {
    // h = (2, 1): logits (2, 1.5, -3), ŷ = 0.
    // d_1 = |(1, -1)·(2, 1) + (0 - 0.5)| / √2 = 0.5/√2; d_2 = |(2, 1)·(2, 1)| / √5 = √5.
    const auto h = torch::tensor({2.0, 1.0}, torch::kFloat64).view({1, 2});
    const auto d = engine::boundary_distances(h, w, b);
    CHECK(d[0][1].item<double>() == Approx(0.5 / std::sqrt(2.0)));
    CHECK(d[0][2].item<double>() == Approx(std::sqrt(5.0)));
    CHECK(d[0][0].item<double>() == Approx(0.5 / std::sqrt(2.0)));  // its own: the nearest
    CHECK(engine::boundary_scores(h, w, b)[0].item<double>() == Approx(-0.5 / std::sqrt(2.0)));
  }
  SECTION("the formula, class by class, on random points") {
    torch::manual_seed(3);
    const auto h = torch::randn({50, 2}, torch::kFloat64) * 3;
    const auto d = engine::boundary_distances(h, w, b);
    for (std::int64_t i = 0; i < 50; ++i) {
      const auto logits = (w.matmul(h[i]) + b);
      const auto y = logits.argmax().item<std::int64_t>();
      double nearest = INFINITY;
      for (std::int64_t c = 0; c < 3; ++c) {
        if (c == y) continue;
        const auto dw = w[y] - w[c];
        const double expected = std::abs((dw.dot(h[i]) + (b[y] - b[c])).item<double>()) /
                                dw.norm().item<double>();
        CHECK(d[i][c].item<double>() == Approx(expected));
        nearest = std::min(nearest, expected);
      }
      CHECK(d[i][y].item<double>() == Approx(nearest));
    }
  }
}

TEST_CASE("balanced(boundary) is BASE: classes take turns at their nearest samples",
          "[balance][boundary]") {
  torch::manual_seed(11);
  engine::pool_outputs outputs;
  outputs.embedding = torch::randn({200, 6});
  outputs.head_weight = torch::randn({4, 6});
  outputs.head_bias = torch::randn({4});
  outputs.probs = torch::softmax(torch::addmm(outputs.head_bias, outputs.embedding,
                                              outputs.head_weight.t()), 1);
  engine::selection_inputs inputs{&outputs, {}, 0, 1, {}};
  const auto rows = all_rows(200);
  const auto picks = engine::select_rows(balanced_spec(to_spec(boundary)), inputs, rows, 10);
  REQUIRE(picks.size() == 10);
  CHECK(std::set<std::int64_t>(picks.begin(), picks.end()).size() == 10);
  // Replay the turns: class c's pick is its nearest sample not yet taken.
  const auto d = engine::boundary_distances(outputs.embedding, outputs.head_weight, outputs.head_bias);
  std::set<std::int64_t> taken;
  const std::vector<std::int64_t> turns{0, 1, 2, 3, 0, 1, 0, 1, 2, 3};  // quotas 3, 3, 2, 2
  std::vector<std::int64_t> expected;
  for (std::size_t round = 0, t = 0; t < 10; ++round) {
    for (std::int64_t c = 0; c < 4 && t < 10; ++c) {
      if (round >= static_cast<std::size_t>(c < 2 ? 3 : 2)) continue;
      auto column = d.select(1, c).clone();
      for (auto x : taken) column[x] = INFINITY;
      const auto best = column.argmin().item<std::int64_t>();
      taken.insert(best);
      expected.push_back(best);
      ++t;
    }
  }
  CHECK(picks == expected);
  SECTION("as a scorer on its own: nearest boundary first") {
    const auto alone = engine::select_rows(to_spec(boundary), inputs, rows, 5);
    const auto nearest = std::get<0>(d.min(1));
    CHECK(alone == to_vector(engine::top_k(-nearest, 5)));
  }
}

/// CBAL's objective Σ_{j∈z} U_j + λ·||Ω − Pᵀz||₁.
double cbal_objective(const torch::Tensor& cost, const torch::Tensor& probs,
                      const std::vector<double>& deficit, double lambda,
                      const std::vector<std::int64_t>& z) {
  auto residual = torch::tensor(deficit, torch::kFloat64);
  double total = 0;
  for (auto j : z) {
    total += cost[j].item<double>();
    residual -= probs[j];
  }
  return total + lambda * residual.abs().sum().item<double>();
}

TEST_CASE("CBAL's greedy takes the best extension at each step and lowers the objective",
          "[balance][class_balanced]") {
  torch::manual_seed(5);
  const auto probs = torch::softmax(torch::randn({60, 4}, torch::kFloat64) * 2, 1);
  const auto cost = -engine::entropy_scores(probs);
  const std::vector<double> deficit{12, 12, 1, 0};
  const double lambda = 0.6;
  const auto picks = engine::class_balanced_greedy(cost, probs, deficit, lambda, 10);
  REQUIRE(picks.size() == 10);
  std::vector<std::int64_t> z;
  double previous = cbal_objective(cost, probs, deficit, lambda, z);
  for (auto pick : picks) {
    // Brute force over every extension of z by one untaken candidate.
    double best = INFINITY;
    for (std::int64_t j = 0; j < 60; ++j) {
      if (std::find(z.begin(), z.end(), j) != z.end()) continue;
      auto extended = z;
      extended.push_back(j);
      best = std::min(best, cbal_objective(cost, probs, deficit, lambda, extended));
    }
    z.push_back(pick);
    const double now = cbal_objective(cost, probs, deficit, lambda, z);
    CHECK(now == Approx(best).epsilon(1e-12));
    CHECK(now < previous);  // the deficits of classes 0 and 1 are far from filled
    previous = now;
  }
}

/// CBAL's greedy as the paper states it: every step evaluates every
/// untaken candidate's cost + λ·||Ω − Pᵀz − p_j||₁ in full (O(U·K) a step).
std::vector<std::int64_t> cbal_dense_reference(const torch::Tensor& cost, const torch::Tensor& probs,
                                               std::vector<double> residual, double lambda,
                                               std::int64_t count) {
  const auto n = probs.size(0), k = probs.size(1);
  const auto p = probs.to(torch::kFloat64).contiguous();
  const auto u = cost.to(torch::kFloat64).contiguous();
  const auto* rows = p.data_ptr<double>();
  const auto* costs = u.data_ptr<double>();
  std::vector<char> taken(static_cast<std::size_t>(n), 0);
  std::vector<std::int64_t> picks;
  for (std::int64_t step = 0; step < count; ++step) {
    double best = INFINITY;
    std::int64_t chosen = -1;
    for (std::int64_t j = 0; j < n; ++j) {
      if (taken[static_cast<std::size_t>(j)]) continue;
      double l1 = 0;
      for (std::int64_t c = 0; c < k; ++c) l1 += std::abs(residual[static_cast<std::size_t>(c)] - rows[j * k + c]);
      const double value = costs[j] + lambda * l1;
      if (value < best) {
        best = value;
        chosen = j;
      }
    }
    taken[static_cast<std::size_t>(chosen)] = 1;
    picks.push_back(chosen);
    for (std::int64_t c = 0; c < k; ++c) residual[static_cast<std::size_t>(c)] -= rows[chosen * k + c];
  }
  return picks;
}

TEST_CASE("CBAL's lazy greedy picks what evaluating every candidate at every step picks",
          "[balance][class_balanced]") {
  // Every step of the lazy solver against the full evaluation.
  const auto [probs, cost, deficit, count] = al_test::many_classes_cbal_problem();
  for (double lambda : {0.0, 0.1, 0.6, 5.0}) {
    INFO("lambda " << lambda);
    CHECK(engine::class_balanced_greedy(cost, probs, deficit, lambda, count) ==
          cbal_dense_reference(cost, probs, deficit, lambda, count));
  }
  SECTION("float64 probabilities are read as they are") {
    const auto p64 = probs.to(torch::kFloat64);
    CHECK(engine::class_balanced_greedy(cost, p64, deficit, 0.6, count) ==
          cbal_dense_reference(cost, p64, deficit, 0.6, count));
  }
  SECTION("what would break the solver's bound is refused") {
    CHECK_THROWS_WITH(engine::class_balanced_greedy(cost, probs, deficit, -0.5, count),
                      Catch::Contains("lambda must be 0 or more"));
    CHECK_THROWS_WITH(engine::class_balanced_greedy(cost, probs - 0.5, deficit, 0.6, count),
                      Catch::Contains("must not be negative"));
  }
}

TEST_CASE("balanced(s) with a per-class ranking reads only the top of each column and ties "
          "still go to the lower position",
          "[balance][boundary]") {
  // A registered class scorer whose columns are full of ties (scores
  // rounded to a few values) and NaNs: BASE's turns replayed on a full
  // stable sort of each column must give the same picks.
  torch::manual_seed(17);
  const std::int64_t n = 3000, k = 7;
  auto scores = (torch::rand({n, k}) * 5).floor();
  scores.index_put_({torch::randint(0, n, {20}), 3}, std::nan(""));
  engine::register_scorer(
      "tied_columns", [n](const engine::pool_outputs&, const engine::selection_context&) {
        return torch::zeros({n});
      },
      [scores](const engine::pool_outputs&, const engine::selection_context&) { return scores; });
  engine::pool_outputs outputs;
  outputs.probs = torch::softmax(torch::randn({n, k}), 1);
  engine::selection_inputs inputs{&outputs, {}, 0, 1, {}};
  selector_spec inner;
  inner.name = "tied_columns";
  for (const std::int64_t count : std::vector<std::int64_t>{1, 40, 333, n}) {
    INFO("count " << count);
    const auto picks = engine::select_rows(balanced_spec(inner), inputs, all_rows(n), count);
    const auto order = std::get<1>(scores.sort(/*stable=*/true, 0, /*descending=*/true));
    const auto quotas = engine::class_quotas(count, std::vector<std::int64_t>(k, n));
    std::vector<char> taken(n, 0);
    std::vector<std::int64_t> next(k, 0), filled(k, 0), expected;
    while (static_cast<std::int64_t>(expected.size()) < count) {
      for (std::int64_t c = 0; c < k; ++c) {
        if (filled[c] == quotas[c]) continue;
        while (taken[order[next[c]][c].item<std::int64_t>()]) ++next[c];
        const auto position = order[next[c]][c].item<std::int64_t>();
        taken[position] = 1;
        expected.push_back(position);
        ++filled[c];
      }
    }
    CHECK(picks == expected);
  }
  engine::unregister_scorer("tied_columns");
}

TEST_CASE("boundary distances are the same whether the rows come one block or many",
          "[balance][boundary]") {
  // More rows than one block of the computation: each row's distances must
  // not depend on which block it falls in.
  torch::manual_seed(19);
  const auto h = torch::randn({20000, 16});
  const auto w = torch::randn({5, 16});
  const auto b = torch::randn({5});
  const auto all = engine::boundary_distances(h, w, b);
  const auto tail = engine::boundary_distances(h.slice(0, 19990), w, b);
  CHECK(torch::allclose(all.slice(0, 19990), tail, 1e-12, 0));
  CHECK(torch::allclose(engine::boundary_scores(h, w, b), -std::get<0>(all.min(1)), 1e-12, 0));
}

TEST_CASE("CBAL with lambda 0 is the scorer's own top-b", "[balance][class_balanced]") {
  torch::manual_seed(6);
  const auto probs = torch::softmax(torch::randn({500, 10}), 1);
  engine::pool_outputs outputs;
  outputs.probs = probs;
  const auto rows = all_rows(500);
  engine::selection_inputs inputs{&outputs, {}, 0, 1, std::vector<std::int64_t>(10, 3)};
  const auto cbal = engine::select_rows(class_balanced_spec(to_spec(entropy), 0), inputs, rows, 50);
  const auto top = engine::select_rows(to_spec(entropy), inputs, rows, 50);
  CHECK(cbal == top);
  SECTION("a large lambda fills the classes the labelled set lacks") {
    inputs.labelled_class_counts = {40, 40, 40, 40, 40, 0, 0, 0, 0, 0};
    const auto balanced_picks =
        engine::select_rows(class_balanced_spec(to_spec(entropy), 50), inputs, rows, 50);
    const auto predicted = to_vector(probs.argmax(1));
    int lacking = 0;
    for (auto p : balanced_picks) lacking += predicted[static_cast<std::size_t>(p)] >= 5 ? 1 : 0;
    CHECK(lacking >= 45);
  }
}

TEST_CASE("CBAL's deficits are what each class lacks of an even share", "[balance][class_balanced]") {
  // |L| = 6, b = 6, K = 3: an even share of 4.
  CHECK(engine::class_deficits({5, 0, 1}, 6) == std::vector<double>{0, 4, 3});
  CHECK_THROWS_WITH(engine::class_deficits({}, 6), Catch::Contains("class counts"));
}

TEST_CASE("a long-tailed pool keeps the requested counts and leaves the test set alone",
          "[balance][data][long_tail]") {
  // n_max is the smallest class: 80; then 80·0.1^(1/2) = 25.3 and 80·0.1 = 8.
  CHECK(engine::long_tail_counts({100, 80, 120}, 0.1) == std::vector<std::int64_t>{80, 25, 8});
  CHECK(engine::long_tail_counts({5, 5, 5}, 0.01) == std::vector<std::int64_t>{5, 1, 1});
  for (double bad : {-0.1, 1.5, std::nan("")}) {
    CHECK_THROWS_WITH(engine::long_tail_counts({10, 10}, bad),
                      Catch::Contains("data.long_tail must be 0 (off) or in (0, 1]"));
  }

  data_config plain;
  plain.name = "blobs";
  auto tailed = plain;
  tailed.long_tail = 0.1;
  const auto a = engine::load_dataset(plain);
  const auto b = engine::load_dataset(tailed);
  // 200 per class: 200, 200·0.1^(1/3) = 92.8, 200·0.1^(2/3) = 43.1, 20.
  CHECK(to_vector(torch::bincount(b.train.labels, {}, 4)) == std::vector<std::int64_t>{200, 92, 43, 20});
  CHECK(torch::equal(a.test.images, b.test.images));
  CHECK(torch::equal(a.test.labels, b.test.labels));
  // Reproducible, and a subset of the pool in its order.
  const auto again = engine::load_dataset(tailed);
  CHECK(torch::equal(again.train.images, b.train.images));
  tailed.long_tail = 2;
  CHECK_THROWS_AS(engine::load_dataset(tailed), engine::data_error);
}

TEST_CASE("balanced accuracy is the mean recall over the classes present", "[balance][metrics]") {
  const auto labels = torch::tensor({0, 1, 1, 1, 1, 2}, torch::kLong);
  const auto predicted = torch::tensor({0, 0, 1, 1, 1, 2}, torch::kLong);
  // Recalls 1, 3/4, 1; class 3 is absent and does not count.
  CHECK(engine::balanced_accuracy(predicted, labels, 4) == Approx(2.75 / 3));
}

TEST_CASE("the built-in models give their linear head; a model without one is refused",
          "[balance][model]") {
  const auto mlp = engine::make_mlp({1, 1, 8, 4});
  const auto [w, b] = mlp->linear_head();
  CHECK((w.size(0) == 4 && w.size(1) == 64));
  CHECK((b.dim() == 1 && b.size(0) == 4));
  const auto h = torch::randn({3, 64});
  CHECK(torch::allclose(mlp->head(h), torch::addmm(b, h, w.t())));

  struct no_linear : engine::classifier {
    torch::Tensor weight = register_parameter("weight", torch::randn({8, 4}));
    torch::Tensor embed(const torch::Tensor& x) override { return x.flatten(1); }
    torch::Tensor head(const torch::Tensor& e) override { return e.matmul(weight); }
  };
  no_linear model;
  CHECK_THROWS_WITH(model.linear_head(), Catch::Contains("override al::engine::classifier::linear_head()"));
}

TEST_CASE("resnet18 embeds grey and colour images into 512 dimensions, and learns",
          "[model]") {
  for (const auto& shape : {engine::input_shape{1, 28, 28, 10}, engine::input_shape{3, 32, 32, 4}}) {
    torch::manual_seed(0);
    const auto model = engine::make_builtin_model("resnet18", shape);
    const auto images = torch::randn({6, shape.channels, shape.height, shape.width});
    const auto labels = torch::arange(6) % shape.num_classes;
    CHECK(model->embed(images).sizes() == torch::IntArrayRef{6, 512});
    const auto [w, b] = model->linear_head();
    CHECK(w.sizes() == torch::IntArrayRef{shape.num_classes, 512});
    // A few steps on six images lower their loss: gradients reach the
    // stem through every block and shortcut.
    torch::optim::SGD optimiser(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    const auto loss = [&] {
      return torch::nn::functional::cross_entropy(model->forward(images), labels);
    };
    model->train();
    const double first = loss().item<double>();
    for (int step = 0; step < 5; ++step) {
      optimiser.zero_grad();
      loss().backward();
      optimiser.step();
    }
    CHECK(loss().item<double>() < first);
    CHECK(model->parameters().front().grad().abs().sum().item<double>() > 0);
  }
  CHECK_THROWS_WITH(engine::make_builtin_model("resnet18", {1, 1, 4, 2}),
                    Catch::Contains("resnet18 needs images of at least 8x8"));
}

TEST_CASE("the scoring pass refuses a head that is more than its last linear layer",
          "[balance][model]") {
  struct two_layer_head : engine::classifier {
    torch::nn::Linear hidden{register_module("hidden", torch::nn::Linear(8, 16))};
    torch::nn::Linear out{register_module("out", torch::nn::Linear(16, 3))};
    torch::Tensor embed(const torch::Tensor& x) override { return x.flatten(1); }
    torch::Tensor head(const torch::Tensor& e) override { return out(torch::relu(hidden(e))); }
  };
  two_layer_head model;
  const auto images = torch::randn({10, 1, 1, 8});
  CHECK_THROWS_WITH(engine::scoring_pass(model, images, torch::arange(10), boundary_t::needs),
                    Catch::Contains("classifier::linear_head() gave W"));
  // The same model scores fine when nothing needs the head's weights.
  CHECK(engine::scoring_pass(model, images, torch::arange(10), need::probs).probs.size(0) == 10);
}

config blobs_config(const std::string& name) {
  config c;
  c.data.name = "blobs";
  c.device = al_test::test_device();
  c.results_dir = fs::temp_directory_path() / ("alpipe-balance-test-" + name);
  fs::remove_all(c.results_dir);
  c.verbose = false;
  return c;
}

TEST_CASE("balance strategies run the loop on blobs and record balanced accuracy",
          "[balance][loop]") {
  const auto recipe = train.epochs(30).min_steps(200);
  auto check = [](const run_report& report, std::int64_t query) {
    REQUIRE(report.cycles.size() == 3);
    std::set<std::int64_t> seen;
    for (const auto& cycle : report.cycles) {
      for (auto i : cycle.queried) CHECK(seen.insert(i).second);
      CHECK(cycle.balanced_accuracy > 0);
    }
    CHECK(report.cycles.back().queried.size() == static_cast<std::size_t>(query));
    CHECK(report.cycles.back().accuracy > 0.8);
    std::ifstream lines(report.folder / "cycles.jsonl");
    std::string first;
    std::getline(lines, first);
    CHECK_THAT(first, Catch::Contains("\"balanced_accuracy\":"));
  };
  check(run(initial(random, 20) | recipe | cycle(2, query(balanced(entropy), 20)),
            blobs_config("balanced")),
        20);
  check(run(initial(random, 20) | recipe | cycle(2, query(class_balanced(entropy, 0.6), 20)),
            blobs_config("class-balanced")),
        20);
  check(run(initial(random, 20) | recipe | cycle(2, query(balanced(boundary), 20)),
            blobs_config("base")),
        20);
  SECTION("on a long-tailed pool, from text") {
    auto c = blobs_config("long-tail");
    c.data.long_tail = 0.1;
    const auto report = run_plan(
        parse("initial(random, 20) | train.epochs(30).min_steps(200) | "
              "cycle(2, query(class_balanced(entropy, 0.6), 20))"),
        c);
    check(report, 20);
  }
}

}  // namespace balance_test
