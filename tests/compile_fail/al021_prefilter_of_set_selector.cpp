// AL021 — mistake: prefilter by a set selector, prefilter(coreset, 10) >> badge; coreset picks a
// set and gives no per-sample score to keep the top m × n by.
// Fix: a per-sample scorer first, the set selector after: prefilter(entropy, 10) >> coreset.

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(prefilter(coreset, 10) >> badge, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(prefilter(entropy, 10) >> badge, 100));
#endif
  (void)p;
}
