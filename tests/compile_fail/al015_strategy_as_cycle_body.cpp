// AL015 — mistake: a strategy word as the cycle body, cycle(3, entropy), "three cycles of entropy".
// Fix: the body is a stage: cycle(3, query(entropy, 100)).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, entropy);
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(entropy, 100));
#endif
  (void)p;
}
