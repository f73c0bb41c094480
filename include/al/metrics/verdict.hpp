#pragma once
// The verdict of one strategy against the random baseline: above, below (a
// result to flag, not hide) or indistinguishable, from the paired test.

#include <al/metrics/paired_test.hpp>

#include <string>
#include <string_view>

namespace al {

enum class verdict {
  above,              // significantly better than the baseline
  below,              // significantly worse: flag it
  indistinguishable,  // a test, but no significant difference
  untestable,         // fewer than 2 seeds, or no spread in the differences
};

/// The verdict of a paired test of a strategy (first arm) against a
/// baseline (second arm) at level alpha.
inline verdict classify(const paired_test_result& test, double alpha = 0.05) {
  if (test.outcome != paired_outcome::tested) return verdict::untestable;
  if (!test.significant(alpha)) return verdict::indistinguishable;
  return test.mean_difference > 0 ? verdict::above : verdict::below;
}

/// The verdict in words, e.g. "above random", "below random",
/// "indistinguishable from random", or why no test was possible.
inline std::string describe_verdict(const paired_test_result& test,
                                    std::string_view baseline = "random", double alpha = 0.05) {
  const std::string name(baseline);
  switch (classify(test, alpha)) {
    case verdict::above: return "above " + name;
    case verdict::below: return "below " + name;
    case verdict::indistinguishable:
      // Not significant, but a mean below the baseline is still worth a word.
      return test.mean_difference < 0 ? "indistinguishable from " + name + " (below it on average)"
                                      : "indistinguishable from " + name;
    case verdict::untestable: break;
  }
  if (test.outcome == paired_outcome::too_few_pairs) return "no test: fewer than 2 paired seeds";
  if (test.mean_difference == 0) return "identical to " + name + " on every seed (no test)";
  return "the same difference on every seed (no test)";
}

}  // namespace al
