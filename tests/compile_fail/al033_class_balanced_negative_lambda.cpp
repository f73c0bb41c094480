// Mistake: a negative weight of the balance term — class_balanced(entropy, -0.6) would reward imbalance.
// Fix: lambda 0 or more, e.g. class_balanced(entropy, 0.6).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(6, query(class_balanced(entropy, -0.6), 100));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(class_balanced(entropy, 0.6), 100));
#endif
  (void)p;
}
