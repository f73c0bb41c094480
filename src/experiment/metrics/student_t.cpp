// Student's t tail and the incomplete beta by Boost.Math; the checks before
// each call keep alpipe's messages (what is wrong and what to do) instead of
// Boost's policy errors.

#include <al/metrics/student_t.hpp>

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace al {

double regularized_incomplete_beta(double x, double a, double b) {
  if (!(a > 0) || !(b > 0)) {
    throw std::invalid_argument("regularized_incomplete_beta: a and b must be positive, got a=" +
                                std::to_string(a) + ", b=" + std::to_string(b));
  }
  if (!(x >= 0 && x <= 1)) {
    throw std::invalid_argument("regularized_incomplete_beta: x must lie in [0, 1], got " +
                                std::to_string(x));
  }
  return boost::math::ibeta(a, b, x);
}

double student_t_two_sided_p(double t, double df) {
  if (!(df > 0)) {
    throw std::invalid_argument("student_t_two_sided_p: degrees of freedom must be positive, got " +
                                std::to_string(df) + "; a paired test needs at least 2 seeds");
  }
  if (std::isnan(t)) {
    throw std::invalid_argument(
        "student_t_two_sided_p: t is NaN; check for identical runs (zero spread) before testing");
  }
  if (std::isinf(t)) return 0;
  const boost::math::students_t distribution(df);
  // The upper tail by its complement, accurate far out where 1 - cdf is not.
  return 2 * boost::math::cdf(boost::math::complement(distribution, std::fabs(t)));
}

}  // namespace al
