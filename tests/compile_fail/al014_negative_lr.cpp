// AL014 — mistake: a negative learning rate, train.lr(-1) (e.g. a sign slip from -3e-4 or "1e-3" typed as -1).
// Fix: the learning rate must be positive: train.lr(3e-4).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | train.lr(-1) | cycle(6, query(entropy, 100));
#else
  constexpr auto p = initial(random, 100) | train.lr(3e-4) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
