// Mistake: balanced of a set selector — balanced(coreset); coreset gives no per-sample score to fill each class's quota by.
// Fix: a scorer inside balanced, e.g. balanced(entropy).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(6, query(balanced(coreset), 100));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(balanced(entropy), 100));
#endif
  (void)p;
}
