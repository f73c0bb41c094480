// AL014 — mistake: SGD momentum of 1.0 ("full momentum"), train(optimizer::sgd).momentum(1.0).
// Fix: momentum must be in [0, 1); 0.9 is the usual value: train(optimizer::sgd).momentum(0.9).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | train(optimizer::sgd).momentum(1.0) | cycle(6, query(entropy, 100));
#else
  constexpr auto p = initial(random, 100) | train(optimizer::sgd).momentum(0.9) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
