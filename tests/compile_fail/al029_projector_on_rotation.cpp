// Mistake: a SimSiam option on rotation — pretrain(rotation).projector(1024); rotation has no projector.
// Fix: drop the option, or pretrain(simsiam).projector(1024).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = pretrain(rotation).projector(1024) | initial(random, 100) | cycle(6, query(margin, 100));
#else
  constexpr auto p = pretrain(simsiam).projector(1024) | initial(random, 100) | cycle(6, query(margin, 100));
#endif
  (void)p;
}
