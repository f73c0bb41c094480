// Mistake: a strategy as the pretext task — pretrain(entropy).
// Fix: pretrain(simsiam) or pretrain(rotation); strategies go into query(...) and initial(...).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = pretrain(entropy) | initial(random, 100) | cycle(6, query(entropy, 100));
#else
  constexpr auto p = pretrain(simsiam) | initial(random, 100) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
