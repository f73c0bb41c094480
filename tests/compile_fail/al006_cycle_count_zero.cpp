// AL006 — mistake: cycle(0, ...) to switch the active learning loop off for a baseline.
// Fix: give a positive number of cycles (or leave the cycle out): cycle(6, query(entropy, 100)).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(0, query(entropy, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
