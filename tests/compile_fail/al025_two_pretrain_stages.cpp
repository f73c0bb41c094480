// Mistake: two pretrainings — pretrain(simsiam) | pretrain(rotation) | ... (which encoder would training start from?).
// Fix: keep one pretrain stage.
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = pretrain(simsiam) | pretrain(rotation) | initial(random, 100) | cycle(6, query(margin, 100));
#else
  constexpr auto p = pretrain(rotation) | initial(random, 100) | cycle(6, query(margin, 100));
#endif
  static_assert(decltype(p)::provides.contains(need::pretext_loss));
}
