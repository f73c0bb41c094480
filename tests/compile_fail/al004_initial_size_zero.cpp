// AL004 — mistake: an empty start, initial(random, 0), "the cycles will label everything".
// Fix: every run starts from a labelled set of positive size: initial(random, 100).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 0) | cycle(6, query(entropy, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
