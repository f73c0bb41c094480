// Mistake: pt4al after pretrain(simsiam) — SimSiam keeps no per-sample loss; PT4AL sorts the pool by rotation losses.
// Fix: pretrain(rotation) | initial(pt4al(least_confidence), 100) | ....
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = pretrain(simsiam) | initial(pt4al(least_confidence), 100) | cycle(6, query(pt4al(least_confidence), 100));
#else
  constexpr auto p = pretrain(rotation) | initial(pt4al(least_confidence), 100) | cycle(6, query(pt4al(least_confidence), 100));
#endif
  static_assert(needs(p).contains(need::pretext_loss));
}
