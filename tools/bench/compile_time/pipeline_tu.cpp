// A DSL-only translation unit: a 5-stage pipeline and its explain().
// Timed by tools/bench/compile-time; it must compile in under 3 s.
#include <al/al.hpp>

#include <cstdio>

int main() {
  using namespace al;
  using al::random;
  constexpr auto p = initial(random, 100) | train.epochs(30) | cycle(3, query(entropy, 100)) |
                     train.lr(1e-4) | cycle(3, query(margin, 100));
  static_assert(needs(p).contains(need::probs));
  std::fputs(explain(p).c_str(), stdout);
}
