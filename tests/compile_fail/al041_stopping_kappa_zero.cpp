// AL041 — mistake: a stopping rule's option out of range,
// stable_predictions.kappa(0): an agreement of 0 is chance, reached at once.
// Fix: a kappa in (0, 1], e.g. the paper's 0.99.

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) |
                     cycle(until(stable_predictions.kappa(0), 10), query(margin, 100));
#else
  constexpr auto p = initial(random, 100) |
                     cycle(until(stable_predictions.kappa(0.99), 10), query(margin, 100));
#endif
  (void)p;
}
