// Mistake: class_balanced of a set selector — class_balanced(badge, 0.6); badge gives no per-sample uncertainty to weigh against the balance term.
// Fix: a scorer inside class_balanced, e.g. class_balanced(entropy, 0.6).
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(6, query(class_balanced(badge, 0.6), 100));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(class_balanced(entropy, 0.6), 100));
#endif
  (void)p;
}
