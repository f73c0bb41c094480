// AL038 — mistake: a query of more samples than any pool holds, query(entropy, 10000000000)
// (a size pasted with a few zeros too many). Fix: the size of one query: query(entropy, 100).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 10000000000));
#else
  constexpr auto p = initial(random, 100) | cycle(6, query(entropy, 100));
#endif
  (void)p;
}
