// AL040 — mistake: softrank of a set selector, softrank(coreset, 1); coreset
// chooses a whole batch and gives no ranking to sample by.
// Fix: a scorer inside softrank, e.g. softrank(entropy, 1).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(softrank(coreset, 1), 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(softrank(entropy, 1), 100));
#endif
  (void)p;
}
