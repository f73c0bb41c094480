#pragma once
// Student's t distribution, two-sided tail probability: what a paired t test
// needs, written out here so the metrics depend on nothing but std.

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace al {
namespace detail {

/// Continued fraction of the incomplete beta function (modified Lentz),
/// converging quickly for x < (a + 1) / (a + b + 2).
inline double incomplete_beta_fraction(double a, double b, double x) {
  constexpr int max_terms = 300;
  constexpr double epsilon = 1e-15;
  constexpr double tiny = 1e-300;  // keeps Lentz's ratios away from 0/0
  double c = 1;
  double d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double fraction = d;
  for (int m = 1; m <= max_terms; ++m) {
    const double m2 = 2.0 * m;
    // Even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)).
    double numerator = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + numerator * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + numerator / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    fraction *= d * c;
    // Odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + numerator * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + numerator / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double step = d * c;
    fraction *= step;
    if (std::fabs(step - 1) < epsilon) return fraction;
  }
  return fraction;  // 300 terms reach double precision for any df a t test meets
}

}  // namespace detail

/// The regularized incomplete beta function I_x(a, b) for a, b > 0 and
/// x in [0, 1]: the distribution function of Beta(a, b).
///
/// Example: al::regularized_incomplete_beta(0.3, 1, 1) == 0.3 (the uniform).
inline double regularized_incomplete_beta(double x, double a, double b) {
  if (!(a > 0) || !(b > 0)) {
    throw std::invalid_argument("regularized_incomplete_beta: a and b must be positive, got a=" +
                                std::to_string(a) + ", b=" + std::to_string(b));
  }
  if (!(x >= 0 && x <= 1)) {
    throw std::invalid_argument("regularized_incomplete_beta: x must lie in [0, 1], got " +
                                std::to_string(x));
  }
  if (x == 0 || x == 1) return x;
  // x^a (1-x)^b / (a B(a, b)), in logs so large a, b do not overflow.
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                           a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  // The fraction converges fast only on one side of the mean; use the
  // symmetry I_x(a, b) = 1 - I_{1-x}(b, a) on the other.
  if (x < (a + 1) / (a + b + 2)) return front * detail::incomplete_beta_fraction(a, b, x) / a;
  return 1 - front * detail::incomplete_beta_fraction(b, a, 1 - x) / b;
}

/// Two-sided p-value of Student's t statistic with df degrees of freedom:
/// P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2).
///
/// Example: al::student_t_two_sided_p(4.303, 2) is 0.05 to four places
/// (the t table's 97.5% quantile for df = 2).
inline double student_t_two_sided_p(double t, double df) {
  if (!(df > 0)) {
    throw std::invalid_argument("student_t_two_sided_p: degrees of freedom must be positive, got " +
                                std::to_string(df) + "; a paired test needs at least 2 seeds");
  }
  if (std::isnan(t)) {
    throw std::invalid_argument(
        "student_t_two_sided_p: t is NaN; check for identical runs (zero spread) before testing");
  }
  if (std::isinf(t)) return 0;
  return regularized_incomplete_beta(df / (df + t * t), df / 2, 0.5);
}

}  // namespace al
