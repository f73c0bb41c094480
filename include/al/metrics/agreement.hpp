#pragma once
// Cohen's kappa: how far two labelings of the same samples agree beyond
// what their class frequencies alone would give. The stable_predictions
// stopping rule reads it between successive models (Bloodgood and
// Vijay-Shanker 2009).

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace al {

/// κ = (p_o − p_e) / (1 − p_e), with p_o the fraction of samples on which
/// `a` and `b` agree and p_e = Σ_c a_c·b_c the agreement expected by chance
/// from each labeling's class fractions. 1 is perfect agreement, 0 chance;
/// two labelings that both give every sample one same class agree perfectly
/// (p_e = 1), κ = 1. Classes lie in [0, classes); empty labelings and
/// labelings of different lengths are errors.
inline double cohen_kappa(std::span<const std::int64_t> a, std::span<const std::int64_t> b,
                          std::int64_t classes) {
  if (a.size() != b.size() || a.empty()) {
    throw std::invalid_argument(fmt::format(
        "Cohen's kappa compares two labelings of the same samples; got {} and {} labels",
        a.size(), b.size()));
  }
  std::vector<double> count_a(static_cast<std::size_t>(classes)), count_b(count_a.size());
  std::size_t agree = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] < 0 || a[i] >= classes || b[i] < 0 || b[i] >= classes) {
      throw std::invalid_argument(
          fmt::format("Cohen's kappa: class {} or {} outside [0, {})", a[i], b[i], classes));
    }
    ++count_a[static_cast<std::size_t>(a[i])];
    ++count_b[static_cast<std::size_t>(b[i])];
    agree += a[i] == b[i] ? 1 : 0;
  }
  const auto n = static_cast<double>(a.size());
  double chance = 0;
  for (std::size_t c = 0; c < count_a.size(); ++c) chance += (count_a[c] / n) * (count_b[c] / n);
  const double observed = static_cast<double>(agree) / n;
  if (chance >= 1) return 1;  // both labelings are one same class everywhere
  return (observed - chance) / (1 - chance);
}

}  // namespace al
