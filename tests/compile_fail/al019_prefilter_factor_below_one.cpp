// AL019 — mistake: a prefilter factor below 1, prefilter(entropy, 0.5) (meant as "keep half the
// pool"); the set selector would then get fewer candidates than the query asks for.
// Fix: m is a multiple of the query size, at least 1: prefilter(entropy, 10) keeps 10 × 100.

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(prefilter(entropy, 0.5) >> coreset, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(prefilter(entropy, 10) >> coreset, 100));
#endif
  (void)p;
}
