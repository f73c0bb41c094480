// Mistake: a consistency weight of 0 — train.cod(0) would turn COD off while
// saying it is on.
// Fix: a positive weight, e.g. train.cod(0.02), or no .cod() at all.
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | train.cod(0) | cycle(3, query(tod, 100));
#else
  constexpr auto p = initial(random, 100) | train.cod(0.02) | cycle(3, query(tod, 100));
#endif
  static_assert(needs(p).contains(need::previous_outputs));
}
