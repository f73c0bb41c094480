// Mistake: pt4al with no pretraining — its pretext losses come from pretrain(rotation).
// Fix: start the pipeline with pretrain(rotation). A pipeline without any pretrain stage
// may still get one in front (pretrain(rotation) | piece), so lower, explain and run
// report it rather than operator|.
#include <al/al.hpp>

int main() {
  using namespace al;
  using al::random;
#ifdef ALPIPE_EXPECT_FAIL
  constexpr auto p = initial(pt4al(least_confidence), 100) | cycle(6, query(pt4al(least_confidence), 100));
#else
  constexpr auto p = pretrain(rotation) | initial(pt4al(least_confidence), 100) | cycle(6, query(pt4al(least_confidence), 100));
#endif
  return explain(p).empty() ? 1 : 0;
}
