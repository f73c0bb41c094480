// AL014 — mistake: a learning rate above 10, train.lr(1e39) (an exponent's sign lost from
// 1e-3, say). Fix: a learning rate in (0, 10]: train.lr(1e-3).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | train.lr(1e39) | cycle(6, query(entropy, 100));
#else
  constexpr auto p = initial(random, 100) | train.lr(1e-3) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
