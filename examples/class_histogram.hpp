#pragma once
// How evenly a set of samples spreads over the classes, for the lessons that
// show which classes a strategy labels (02 and 06).

#include <cmath>
#include <cstdint>
#include <vector>

namespace lessons {

/// Entropy in bits of a class histogram: log2 K when every one of K classes
/// has the same count (3.32 for 10), 0 when one class has them all.
inline double histogram_entropy(const std::vector<std::int64_t>& counts) {
  double total = 0;
  for (const auto n : counts) total += static_cast<double>(n);
  double bits = 0;
  for (const auto n : counts) {
    if (n > 0) bits -= static_cast<double>(n) / total * std::log2(static_cast<double>(n) / total);
  }
  return bits;
}

}  // namespace lessons
