// Mistake: chaining prefilter into another scorer — prefilter(entropy, 10) >> margin.
// Fix: prefilter feeds a set selector (coreset, badge); to rank by one score, query(margin, n).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(prefilter(entropy, 10) >> margin, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(prefilter(entropy, 10) >> coreset, 100));
#endif
  static_assert(needs(p).contains(need::embedding));
}
