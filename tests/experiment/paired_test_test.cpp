#include <al/metrics/learning_curve.hpp>
#include <al/metrics/paired_test.hpp>
#include <al/metrics/verdict.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

TEST_CASE("the paired t test matches a hand computation", "[metrics][paired]") {
  // a - b = {0.02, 0.01, 0.04}: mean 0.07 / 3 = 0.023333; squared deviations
  // 1.1111e-5 + 1.7778e-4 + 2.7778e-4 = 4.6667e-4, / (n - 1) = 2.3333e-4,
  // sd = 0.015275; t = 0.023333 / (0.015275 / sqrt 3), so t^2 = 7 exactly;
  // df = 2, p = 1 - sqrt(7) / sqrt(7 + 2) = 1 - sqrt(7) / 3 = 0.118083.
  const std::vector<double> a{0.80, 0.82, 0.84};
  const std::vector<double> b{0.78, 0.81, 0.80};
  const auto test = al::paired_t_test(a, b);
  CHECK(test.outcome == al::paired_outcome::tested);
  CHECK(test.n == 3);
  CHECK(test.df == 2);
  CHECK(test.mean_difference == Approx(0.07 / 3));
  CHECK(test.sd_difference == Approx(0.0152753).epsilon(1e-5));
  REQUIRE(test.t);
  CHECK(*test.t == Approx(std::sqrt(7.0)).epsilon(1e-9));
  REQUIRE(test.p);
  CHECK(*test.p == Approx(1 - std::sqrt(7.0) / 3).epsilon(1e-9));
  CHECK_FALSE(test.significant());
  CHECK(test.significant(0.2));

  SECTION("swapping the arms flips the sign, not the p-value") {
    const auto swapped = al::paired_t_test(b, a);
    CHECK(*swapped.t == Approx(-std::sqrt(7.0)));
    CHECK(*swapped.p == Approx(*test.p));
  }
}

TEST_CASE("the paired test says when it cannot test", "[metrics][paired]") {
  SECTION("identical runs: no spread, t undefined, not significant") {
    const std::vector<double> same{0.7, 0.8, 0.9};
    const auto test = al::paired_t_test(same, same);
    CHECK(test.outcome == al::paired_outcome::no_spread);
    CHECK_FALSE(test.t);
    CHECK_FALSE(test.p);
    CHECK_FALSE(test.significant());
    CHECK(test.mean_difference == 0);
    CHECK(al::describe_verdict(test) == "identical to random on every seed (no test)");
  }
  SECTION("one seed: no test possible") {
    const std::vector<double> a{0.9};
    const std::vector<double> b{0.7};
    const auto test = al::paired_t_test(a, b);
    CHECK(test.outcome == al::paired_outcome::too_few_pairs);
    CHECK(test.df == 0);
    CHECK(test.mean_difference == Approx(0.2));
    CHECK(test.sd_difference == 0);
    CHECK(al::classify(test) == al::verdict::untestable);
    CHECK(al::describe_verdict(test) == "no test: fewer than 2 paired seeds");
  }
  SECTION("arms of different lengths are refused") {
    const std::vector<double> a{0.9, 0.8};
    const std::vector<double> b{0.7};
    CHECK_THROWS_WITH(al::paired_t_test(a, b), Catch::Contains("pair the arms by seed"));
  }
}

TEST_CASE("the verdict against random follows the test and the sign", "[metrics][verdict]") {
  // Differences {0.02, 0.03, 0.025}: mean 0.025, sd 0.005, t = 5 sqrt 3 = 8.66,
  // p = 1 - 8.66 / sqrt(77) = 0.0131 < 0.05.
  const std::vector<double> random{0.78, 0.79, 0.785};
  const std::vector<double> better{0.80, 0.82, 0.81};
  const std::vector<double> worse{0.76, 0.76, 0.76};
  const std::vector<double> noisy{0.70, 0.90, 0.75};
  CHECK(al::describe_verdict(al::paired_t_test(better, random)) == "above random");
  CHECK(al::classify(al::paired_t_test(worse, random)) == al::verdict::below);
  CHECK(al::describe_verdict(al::paired_t_test(worse, random)) == "below random");
  // Differences {-0.08, 0.11, -0.035}: mean -0.005, far from significant.
  CHECK(al::describe_verdict(al::paired_t_test(noisy, random)) ==
        "indistinguishable from random (below it on average)");
  // Differences {0.12, -0.09, 0.075}: mean +0.035, not significant either.
  const std::vector<double> noisy_above{0.90, 0.70, 0.86};
  CHECK(al::describe_verdict(al::paired_t_test(noisy_above, random)) ==
        "indistinguishable from random");
  CHECK(al::describe_verdict(al::paired_t_test(better, random), "uniform") == "above uniform");
}

TEST_CASE("learning curves over seeds give mean and sample std per budget", "[metrics][curve]") {
  al::seed_curves curves;
  curves.labelled = {100, 200};
  curves.by_seed = {{0.70, 0.80}, {0.72, 0.84}, {0.74, 0.82}};
  const auto mean = al::mean_curve(curves);
  REQUIRE(mean.size() == 2);
  // At 100: mean 0.72, deviations -0.02, 0, 0.02: sqrt(0.0008 / 2) = 0.02.
  CHECK(mean[0].labelled == 100);
  CHECK(mean[0].mean == Approx(0.72));
  CHECK(mean[0].std == Approx(0.02));
  CHECK(mean[0].n == 3);
  // At 200: mean 0.82, deviations -0.02, 0.02, 0: also 0.02 (n - 1, not n: 0.01633).
  CHECK(mean[1].mean == Approx(0.82));
  CHECK(mean[1].std == Approx(0.02));

  SECTION("one seed has std 0") {
    curves.by_seed.resize(1);
    const auto one = al::mean_curve(curves);
    CHECK(one[1].mean == Approx(0.80));
    CHECK(one[1].std == 0);
    CHECK(one[1].n == 1);
  }
  SECTION("a short seed is refused, pointing at unfinished runs") {
    curves.by_seed[1].pop_back();
    CHECK_THROWS_WITH(al::mean_curve(curves), Catch::Contains("unfinished runs"));
  }
}
