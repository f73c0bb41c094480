// AL036 — mistake: both ways to use a pretrained encoder in one train stage,
// train.linear_probe().probe_first() (frozen for good, or probe and then fine-tune?).
// Fix: keep one: train.probe_first() for LP-FT, train.linear_probe() for a frozen encoder.

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = pretrain(simsiam) | initial(random, 100) | train.linear_probe().probe_first() |
                     cycle(6, query(entropy, 100));
#else
  constexpr auto p = pretrain(simsiam) | initial(random, 100) | train.probe_first() |
                     cycle(6, query(entropy, 100));
#endif
  (void)p;
}
