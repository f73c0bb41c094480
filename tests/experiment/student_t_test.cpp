#include <al/metrics/student_t.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

TEST_CASE("the regularized incomplete beta matches closed forms", "[metrics][student_t]") {
  // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b; I_0.5(a, a) = 0.5.
  CHECK(al::regularized_incomplete_beta(0.3, 1, 1) == Approx(0.3).epsilon(1e-12));
  CHECK(al::regularized_incomplete_beta(0.6, 3, 1) == Approx(0.216).epsilon(1e-12));
  CHECK(al::regularized_incomplete_beta(0.2, 1, 4) == Approx(1 - std::pow(0.8, 4)).epsilon(1e-12));
  CHECK(al::regularized_incomplete_beta(0.5, 7.5, 7.5) == Approx(0.5).epsilon(1e-12));
  SECTION("integer a, b: a binomial tail, on both sides of the mean") {
    // I_x(2, 3) = P(Binomial(4, x) >= 2) = 1 - (1-x)^4 - 4 x (1-x)^3.
    // x = 0.4: 1 - 0.1296 - 0.3456 = 0.5248 (the direct continued fraction);
    // x = 0.7: 1 - 0.0081 - 0.0756 = 0.9163 (the symmetric one).
    CHECK(al::regularized_incomplete_beta(0.4, 2, 3) == Approx(0.5248).epsilon(1e-12));
    CHECK(al::regularized_incomplete_beta(0.7, 2, 3) == Approx(0.9163).epsilon(1e-12));
  }
  CHECK(al::regularized_incomplete_beta(0, 2, 3) == 0);
  CHECK(al::regularized_incomplete_beta(1, 2, 3) == 1);
  CHECK_THROWS_AS(al::regularized_incomplete_beta(1.5, 2, 3), std::invalid_argument);
  CHECK_THROWS_AS(al::regularized_incomplete_beta(0.5, 0, 3), std::invalid_argument);
}

TEST_CASE("two-sided Student t p-values match the t table", "[metrics][student_t]") {
  SECTION("df = 2 has the closed form p = 1 - t / sqrt(t^2 + 2)") {
    // t = 2: 1 - 2 / sqrt(6) = 0.183503.
    CHECK(al::student_t_two_sided_p(2.0, 2) == Approx(0.183503).margin(1e-6));
    CHECK(al::student_t_two_sided_p(-2.0, 2) == Approx(0.183503).margin(1e-6));
    // The table's 97.5% quantile for df = 2.
    CHECK(al::student_t_two_sided_p(4.303, 2) == Approx(0.05).margin(1e-4));
  }
  SECTION("df = 1 is the Cauchy distribution: p = 1 - 2 atan(|t|) / pi") {
    CHECK(al::student_t_two_sided_p(1.0, 1) == Approx(0.5).margin(1e-12));
    CHECK(al::student_t_two_sided_p(12.706, 1) == Approx(0.05).margin(1e-4));
  }
  SECTION("t-table quantiles for larger df") {
    CHECK(al::student_t_two_sided_p(2.228, 10) == Approx(0.05).margin(1e-4));
    CHECK(al::student_t_two_sided_p(4.032, 5) == Approx(0.01).margin(1e-4));
    CHECK(al::student_t_two_sided_p(2.750, 30) == Approx(0.01).margin(1e-4));
    CHECK(al::student_t_two_sided_p(1.984, 100) == Approx(0.05).margin(1e-4));
  }
  SECTION("the ends") {
    CHECK(al::student_t_two_sided_p(0.0, 4) == Approx(1.0));
    CHECK(al::student_t_two_sided_p(std::numeric_limits<double>::infinity(), 4) == 0);
    CHECK(al::student_t_two_sided_p(1e6, 3) < 1e-12);
  }
  SECTION("no degrees of freedom or a NaN t is refused") {
    CHECK_THROWS_WITH(al::student_t_two_sided_p(2.0, 0), Catch::Contains("at least 2 seeds"));
    CHECK_THROWS_WITH(al::student_t_two_sided_p(std::nan(""), 2),
                      Catch::Contains("identical runs"));
  }
}
