// AL012 — mistake: a cycle body with only a train stage, cycle(3, train.epochs(40)), to "retrain three times".
// Fix: every cycle queries once (training follows each query): cycle(3, query(entropy, 100) | train.epochs(40)).

#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(random, 100) | cycle(3, train.epochs(40));
#else
  constexpr auto p = initial(random, 100) | cycle(3, query(entropy, 100) | train.epochs(40));
#endif
  (void)p;
}
