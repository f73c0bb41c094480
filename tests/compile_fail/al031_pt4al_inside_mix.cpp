// Mistake: pt4al nested in a combinator — mix(pt4al(margin), random, 0.5); its batches are the rounds of the whole run.
// Fix: pt4al as the whole strategy of the query: query(pt4al(margin), 100).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = pretrain(rotation) | initial(random, 100) | cycle(6, query(mix(pt4al(margin), random, 0.5), 100));
#else
  constexpr auto p = pretrain(rotation) | initial(random, 100) | cycle(6, query(pt4al(margin), 100));
#endif
  (void)p;
}
