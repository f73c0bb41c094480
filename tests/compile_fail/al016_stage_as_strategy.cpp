// AL016 — mistake: a stage where a strategy belongs, query(train, 10), "query, then train".
// Fix: query takes a strategy word; training follows every query by itself: query(entropy, 10) | train.

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(train, 10));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(entropy, 10) | train);
#endif
  (void)p;
}
