// AL039 — mistake: more cycles than the limit of 10000, cycle(2147483647, ...) (INT_MAX
// for "as long as it takes"). Fix: the number of cycles the budget allows: cycle(6, ...).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(2147483647, query(entropy, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
