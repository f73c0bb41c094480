// AL022 — mistake: a mix fraction outside [0, 1], mix(entropy, random, 50) (meant as 50 %).
// Fix: the fraction chosen by the first strategy as a number in [0, 1]: mix(entropy, random, 0.5).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(mix(entropy, random, 50), 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(mix(entropy, random, 0.5), 100));
#endif
  (void)p;
}
