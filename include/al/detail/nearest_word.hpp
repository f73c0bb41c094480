#pragma once
// "Did you mean …?": the known word closest to a misspelt one.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace al::detail {

/// Levenshtein distance (insertions, deletions, substitutions).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// The closest candidate, if it is close enough to be a likely typo
/// (at most a third of the word's letters wrong, and at least one).
inline std::optional<std::string> nearest_word(std::string_view word,
                                               const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    // The distance is at least the difference in length: skipping such
    // candidates keeps a megabyte-long unknown word from costing seconds.
    const auto gap = word.size() > candidate.size() ? word.size() - candidate.size()
                                                    : candidate.size() - word.size();
    if (gap >= best_distance) continue;
    const auto d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace al::detail
