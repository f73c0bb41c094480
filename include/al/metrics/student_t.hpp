#pragma once
// Student's t distribution, two-sided tail probability: what a paired t test
// needs. Computed by Boost.Math in the experiment library
// (src/experiment/metrics/student_t.cpp), so this header stays light; link
// alpipe::experiment (alpipe::alpipe includes it).

namespace al {

/// The regularized incomplete beta function I_x(a, b) for a, b > 0 and
/// x in [0, 1]: the distribution function of Beta(a, b). Other arguments are
/// a std::invalid_argument naming the one out of range.
///
/// Example: al::regularized_incomplete_beta(0.3, 1, 1) == 0.3 (the uniform).
double regularized_incomplete_beta(double x, double a, double b);

/// Two-sided p-value of Student's t statistic with df degrees of freedom:
/// P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2). An infinite t gives 0;
/// a NaN t or df <= 0 is a std::invalid_argument.
///
/// Example: al::student_t_two_sided_p(4.303, 2) is 0.05 to four places
/// (the t table's 97.5% quantile for df = 2).
double student_t_two_sided_p(double t, double df);

}  // namespace al
