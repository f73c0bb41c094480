#include <al/metrics/penalty_matrix.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

TEST_CASE("the penalty matrix counts the budgets where one strategy beats another",
          "[metrics][penalty]") {
  // Three strategies, three seeds, L = 3 labelled counts.
  // At 100 every strategy has the same accuracies (same initial set): no spread, no test.
  // At 200: a - b = {0.02, 0.03, 0.025}: t = 8.66, p = 0.013: a beats b.
  //         c is noisy: a - c = {0.10, -0.08, 0.21} (t = 0.91), b - c = {0.08, -0.11, 0.185}:
  //         not significant, although both means are positive.
  // At 300: a - b = {0.05, 0.06, 0.04}: mean 0.05, sd 0.01, t = 8.66, p = 0.013: a beats b.
  //         c - a = {-0.25, 0.09, -0.17} (t = -1.07), c - b = {-0.20, 0.15, -0.13}: not significant.
  // So P[a][b] = 2/3 and every other entry is 0; column sums {0, 2/3, 0}.
  al::seed_curves a{{100, 200, 300}, {{0.70, 0.80, 0.85}, {0.71, 0.82, 0.86}, {0.69, 0.81, 0.87}}};
  al::seed_curves b{{100, 200, 300}, {{0.70, 0.78, 0.80}, {0.71, 0.79, 0.80}, {0.69, 0.785, 0.83}}};
  al::seed_curves c{{100, 200, 300}, {{0.70, 0.70, 0.60}, {0.71, 0.90, 0.95}, {0.69, 0.60, 0.70}}};
  const std::vector<al::seed_curves> strategies{a, b, c};
  const auto penalty = al::penalty_matrix(strategies);
  REQUIRE(penalty.size() == 3);
  CHECK(penalty[0][1] == Approx(2.0 / 3));
  CHECK(penalty[1][0] == 0);  // a sign-blind count would put 2/3 here too
  CHECK(penalty[0][2] == 0);  // a significance-blind count would put 2/3 here
  CHECK(penalty[1][2] == 0);
  CHECK(penalty[2][0] == 0);
  CHECK(penalty[2][1] == 0);
  for (int i = 0; i < 3; ++i) CHECK(penalty[i][i] == 0);
  const auto losses = al::penalty_column_sums(penalty);
  CHECK(losses[0] == 0);
  CHECK(losses[1] == Approx(2.0 / 3));
  CHECK(losses[2] == 0);

  SECTION("a stricter alpha removes a win") {
    // p = 0.013 > 0.01 at both counts.
    const auto strict = al::penalty_matrix(strategies, 0.01);
    CHECK(strict[0][1] == 0);
  }
  SECTION("tables on other budgets or seeds are refused") {
    al::seed_curves shorter = b;
    shorter.labelled = {100, 200, 400};
    CHECK_THROWS_WITH(al::penalty_matrix(std::vector{a, shorter}),
                      Catch::Contains("common budgets"));
    al::seed_curves fewer = b;
    fewer.by_seed.pop_back();
    CHECK_THROWS_WITH(al::penalty_matrix(std::vector{a, fewer}),
                      Catch::Contains("seeds every strategy finished"));
  }
}
