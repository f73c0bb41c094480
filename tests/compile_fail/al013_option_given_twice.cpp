// AL013 — mistake: an option set twice while editing, train.epochs(3).epochs(4) (which one wins?).
// Fix: give each train option once: train.epochs(4).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | train.epochs(3).epochs(4) | cycle(6, query(entropy, 100));
#else
  constexpr auto p = initial(random, 100) | train.epochs(4) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
