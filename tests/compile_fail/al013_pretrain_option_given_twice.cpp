// AL013 on pretrain — mistake: pretrain(simsiam).epochs(10).epochs(20).
// Fix: give each pretrain option once: pretrain(simsiam).epochs(20).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = pretrain(simsiam).epochs(10).epochs(20) | initial(random, 100) | cycle(6, query(margin, 100));
#else
  constexpr auto p = pretrain(simsiam).epochs(20) | initial(random, 100) | cycle(6, query(margin, 100));
#endif
  (void)p;
}
