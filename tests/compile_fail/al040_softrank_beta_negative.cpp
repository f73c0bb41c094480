// AL040 — mistake: a negative sharpness, softrank(bald, -1).
// Fix: β between 0 (uniform) and 1000 (the scorer's top-b): softrank(bald, 1).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(softrank(bald, -1), 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(softrank(bald, 1), 100));
#endif
  (void)p;
}
