// Mistake: tod for the initial set — initial(tod, 100); tod compares with the
// previous cycle's model, and before the initial set there is no model.
// Fix: start with initial(random, 100) and use tod in the queries.
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(tod, 100) | cycle(3, query(tod, 100));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(tod, 100));
#endif
  static_assert(needs(p).contains(need::previous_outputs));
}
