// Mistake: pretraining after labels — initial(random, 100) | pretrain(simsiam) | ....
// Fix: pretraining happens once, before any label: pretrain(simsiam) | initial(random, 100) | ....
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | pretrain(simsiam) | cycle(6, query(margin, 100));
#else
  constexpr auto p = pretrain(simsiam) | initial(random, 100) | cycle(6, query(margin, 100));
#endif
  static_assert(needs(p).contains(need::probs));
}
