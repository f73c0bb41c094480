// The paired t test over seeds.

#include <al/metrics/paired_test.hpp>

#include <range/v3/range/conversion.hpp>
#include <range/v3/view/zip_with.hpp>

#include <functional>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace al {

paired_test_result paired_t_test(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("paired_t_test: " + std::to_string(a.size()) + " values against " +
                                std::to_string(b.size()) +
                                "; pair the arms by seed and keep only seeds both have");
  }
  const auto differences = ranges::views::zip_with(std::minus{}, a, b) | ranges::to<std::vector>();
  const auto summary = summarize(differences);
  paired_test_result out;
  out.n = summary.n;
  out.mean_difference = summary.mean;
  out.sd_difference = summary.std;
  if (out.n < 2) return out;
  out.df = out.n - 1;
  if (summary.std < 1e-12) {
    out.outcome = paired_outcome::no_spread;
    return out;
  }
  out.outcome = paired_outcome::tested;
  out.t = summary.mean / (summary.std / std::sqrt(static_cast<double>(out.n)));
  out.p = student_t_two_sided_p(*out.t, static_cast<double>(out.df));
  return out;
}

}  // namespace al
