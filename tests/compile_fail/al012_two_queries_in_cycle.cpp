// AL012 — mistake: two queries in one cycle body to mix strategies, query(entropy, 50) | query(margin, 50).
// Fix: one query per cycle body; to use both, write one cycle per strategy: cycle(3, query(entropy, 50)) | cycle(3, query(margin, 50)).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, query(entropy, 50) | query(margin, 50));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(entropy, 50)) | cycle(3, query(margin, 50));
#endif
  (void)p;
}
