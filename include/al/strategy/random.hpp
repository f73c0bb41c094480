#pragma once
#include <al/word_table.hpp>

namespace al {

/// `random` — uniform sampling without replacement, from the run's seed.
/// The baseline every comparison needs. Needs nothing from the model.
///
/// Example: `initial(random, 100) | cycle(6, query(random, 100))`
///
/// <cstdlib> declares a `::random` too, so after `using namespace al;` the
/// bare name is ambiguous at global scope. Add `using al::random;` in the
/// function or in your own namespace that builds the pipeline:
///
///   int main() { using namespace al; using al::random; ... }
struct random_t {
  static constexpr std::string_view name = "random";
  static constexpr needs_set needs{};
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description =
      "uniform without replacement, from the run's seed";
};
inline constexpr random_t random{};

}  // namespace al

ALPIPE_BUILTIN_WORD(random, al::random)
