// AL011 — mistake: initial(...) inside the cycle body, as if each cycle drew a fresh starting set.
// Fix: the initial set is labelled once, before the cycle: initial(random, 100) | cycle(6, query(entropy, 100)).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = cycle(6, initial(random, 100) | query(entropy, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
