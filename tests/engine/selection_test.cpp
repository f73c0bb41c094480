// Per-sample strategies on hand-made probabilities, top-k, the registry.

#include <al/engine/selection.hpp>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

/// Registers a scorer for the guard's lifetime, so that a test's scorer is
/// never seen by the tests that run after it.
class scoped_scorer {
 public:
  scoped_scorer(std::string name, scorer_function score) : name_(std::move(name)) {
    register_scorer(name_, std::move(score));
  }
  ~scoped_scorer() { unregister_scorer(name_); }
  scoped_scorer(const scoped_scorer&) = delete;
  scoped_scorer& operator=(const scoped_scorer&) = delete;

 private:
  std::string name_;
};

bool is_registered(std::string_view name) {
  const auto names = registered_scorers();
  return std::find(names.begin(), names.end(), name) != names.end();
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
  {
    const scoped_scorer most_confident(
        "most_confident", [](const pool_outputs& out, const selection_context&) {
          return -least_confidence_scores(out.probs);
        });
    CHECK(ranking(find_scorer("most_confident")(outputs, context)).front() == 0);
    CHECK(is_registered("most_confident"));
  }
  SECTION("unregistering removes the name, and only once") {
    CHECK_FALSE(is_registered("most_confident"));
    CHECK_THROWS_WITH(find_scorer("most_confident"), Catch::Contains("\"most_confident\""));
    CHECK_FALSE(unregister_scorer("most_confident"));
    CHECK(is_registered("entropy"));
  }
}

TEST_CASE("a scorer found while others register and unregister stays callable",
          "[select][registry]") {
  // Writers replace and remove one shared name while readers find it and call
  // what they found. Each version of the scorer owns a buffer of one repeated
  // value and checks it while scoring: a reader left holding a reference into
  // the registry calls a function that a writer has destroyed, and reads a
  // freed buffer (or crashes) instead of one value.
  constexpr std::int64_t buffer_size = 4096;
  const std::string shared_name = "concurrent_registry_test_shared";
  const auto version = [&](std::int64_t value) -> scorer_function {
    return [buffer = std::vector<std::int64_t>(buffer_size, value)](const pool_outputs&,
                                                                     const selection_context&) {
      for (const auto x : buffer) {
        if (x != buffer.front()) return torch::full({1}, -1.0, torch::kDouble);
      }
      return torch::full({1}, static_cast<double>(buffer.front()), torch::kDouble);
    };
  };
  const scoped_scorer shared(shared_name, version(0));

  constexpr int writers = 3;
  constexpr int readers = 3;
  constexpr int rounds = 3000;
  std::atomic<int> started_readers{0};
  std::atomic<int> running_writers{writers};
  std::atomic<std::int64_t> wrong{0};
  std::vector<std::thread> threads;
  const pool_outputs outputs;
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&] {
      ++started_readers;
      // Until the writers are done, and then until a few calls succeeded
      // (the writers leave the name registered).
      for (int calls = 0; running_writers > 0 || calls < 10;) {
        try {
          // Held by reference, as a caller would: safe only if find_scorer
          // returns something the caller owns. The yield lets writers run
          // between the lookup and the call.
          const auto& score = find_scorer(shared_name);
          std::this_thread::yield();
          const double value = score(outputs, {1, 0, 0}).item<double>();
          if (value < 0 || value > rounds) ++wrong;
          ++calls;
        } catch (const std::invalid_argument&) {
          // A writer had just unregistered it.
        }
      }
    });
  }
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      while (started_readers < readers) std::this_thread::yield();
      // Each writer also registers names of its own, so the map grows and
      // shrinks under the readers.
      const auto own_name = fmt::format("concurrent_registry_test_writer_{}", w);
      for (int i = 1; i <= rounds; ++i) {
        register_scorer(shared_name, version(i));
        register_scorer(own_name, version(i));
        if (i % 3 == 0) unregister_scorer(shared_name);
        if (i % 2 == 0) unregister_scorer(own_name);
      }
      unregister_scorer(own_name);
      register_scorer(shared_name, version(rounds));
      --running_writers;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
  for (int w = 0; w < writers; ++w) {
    CHECK_FALSE(is_registered(fmt::format("concurrent_registry_test_writer_{}", w)));
  }
}
