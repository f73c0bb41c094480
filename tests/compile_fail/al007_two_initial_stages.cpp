// AL007 — mistake: a second initial(...) to get a bigger (or mixed) starting set.
// Fix: keep one initial stage and give it the whole size: initial(random, 200).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | initial(random, 100) | cycle(6, query(entropy, 100));
#else
  constexpr auto p = initial(random, 200) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
