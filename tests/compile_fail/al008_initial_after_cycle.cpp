// AL008 — mistake: writing the loop first and the starting set last, cycle(...) | initial(...).
// Fix: initial(...) goes at the front: initial(random, 100) | cycle(6, query(entropy, 100)).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = cycle(6, query(entropy, 100)) | initial(random, 100);
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
