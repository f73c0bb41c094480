// Mistake: one MC-dropout pass — query(bald.passes(1), 100); one pass cannot disagree with itself.
// Fix: bald (20 passes) or bald.passes(T) with T of 2 or more.
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(bald.passes(1), 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(bald.passes(10), 100));
#endif
  static_assert(needs(p).contains(need::mc_dropout));
}
