// Mistake: starting from a set selector — initial(coreset, 100); coreset needs labelled centres.
// Fix: start with a per-sample scorer, initial(random, 100), and use coreset in query(...).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(coreset, 100) | cycle(3, query(coreset, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(coreset, 100));
#endif
  static_assert(needs(p).contains(need::embedding));
}
