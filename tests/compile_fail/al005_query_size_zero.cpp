// AL005 — mistake: query(entropy, 0) as a placeholder, or to "just retrain" without labelling.
// Fix: a query labels a positive number of samples: query(entropy, 100).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 0));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
