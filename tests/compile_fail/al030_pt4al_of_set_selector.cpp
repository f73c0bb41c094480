// Mistake: pt4al of a set selector — pt4al(coreset); coreset gives no per-sample score to rank the round's batch by.
// Fix: a scorer inside pt4al, e.g. pt4al(least_confidence).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = pretrain(rotation) | initial(random, 100) | cycle(6, query(pt4al(coreset), 100));
#else
  constexpr auto p = pretrain(rotation) | initial(random, 100) | cycle(6, query(pt4al(least_confidence), 100));
#endif
  (void)p;
}
