// AL015 — mistake: a strategy word piped in as a stage, initial(random, 100) | entropy.
// Fix: wrap the strategy in a stage that says how many samples: initial(random, 100) | query(entropy, 100).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | entropy;
#else
  constexpr auto p = initial(random, 100) | query(entropy, 100);
#endif
  (void)p;
}
