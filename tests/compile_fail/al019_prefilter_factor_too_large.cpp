// AL019 — mistake: a prefilter factor above 1000, prefilter(entropy, 1e6) (meant to keep the
// whole pool). Fix: a factor in [1, 1000], or the set selector alone: query(coreset, 100).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(prefilter(entropy, 1e6) >> coreset, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(prefilter(entropy, 10) >> coreset, 100));
#endif
  (void)p;
}
