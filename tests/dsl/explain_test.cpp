// explain(p): the plan a study group reads before running anything.

#include <al/al.hpp>

#include <catch2/catch.hpp>

namespace explain_test {

// In a namespace of one's own, the using-declaration hides <cstdlib>'s ::random.
using namespace al;
using al::random;

TEST_CASE("explain prints every step with its resolved hyperparameters", "[dsl][explain]") {
  const auto text = explain(initial(random, 100) | train.epochs(40).lr(3e-4) |
                            cycle(2, query(entropy, 50)));
  const std::string expected =
      "plan: 2 cycles, 200 labels in all; scoring pass computes: probs\n"
      "  [0] label     initial set: 100 samples by random (uniform without replacement, from "
      "the run's seed)\n"
      "  [0] train     100 labels: adam lr=0.0003 weight_decay=0.0005 schedule=cosine (to 0 "
      "at the last step) epochs=40 (at least 300 steps) batch_size=32, from the seed's initial "
      "weights\n"
      "  [0] evaluate  test accuracy and per-class accuracy\n"
      "  [1] score     unlabelled pool, one batched no-grad pass -> probs\n"
      "  [1] select    50 samples by entropy (largest entropy -sum_k p_k log p_k of the "
      "softmax)\n"
      "  [1] label     50 samples from the oracle (ground truth)\n"
      "  [1] train     150 labels: adam lr=0.0003 weight_decay=0.0005 schedule=cosine (to 0 "
      "at the last step) epochs=40 (at least 300 steps) batch_size=32, from the seed's initial "
      "weights\n"
      "  [1] evaluate  test accuracy and per-class accuracy\n"
      "  [2] score     unlabelled pool, one batched no-grad pass -> probs\n"
      "  [2] select    50 samples by entropy (largest entropy -sum_k p_k log p_k of the "
      "softmax)\n"
      "  [2] label     50 samples from the oracle (ground truth)\n"
      "  [2] train     200 labels: adam lr=0.0003 weight_decay=0.0005 schedule=cosine (to 0 "
      "at the last step) epochs=40 (at least 300 steps) batch_size=32, from the seed's initial "
      "weights\n"
      "  [2] evaluate  test accuracy and per-class accuracy\n";
  CHECK(text == expected);
}

TEST_CASE("explain says when nothing is computed by the scoring pass and when SGD warm-starts",
          "[dsl][explain]") {
  const auto text = explain(initial(random, 10) |
                            train(optimizer::sgd).momentum(0.5).warm_start() |
                            cycle(1, query(random, 5)));
  CHECK_THAT(text, Catch::Contains("scoring pass computes: nothing (no model outputs)"));
  CHECK_THAT(text, Catch::Contains("sgd lr=0.001 weight_decay=0.0005 momentum=0.5"));
  CHECK_THAT(text, Catch::Contains("warm start from the previous cycle's weights"));
}

TEST_CASE("explain says when training runs under bf16 autocast, and on which device a run computes",
          "[dsl][explain]") {
  const auto mixed = initial(random, 10) | train.bf16() | cycle(1, query(random, 5));
  CHECK_THAT(explain(mixed), Catch::Contains("bf16 autocast: forward passes in bfloat16, weights "
                                             "and optimiser in float32"));
  CHECK_THAT(explain(initial(random, 10) | cycle(1, query(random, 5))),
             !Catch::Contains("bf16"));
  config c;
  c.device = "cpu";
  CHECK_THAT(explain(mixed, c), Catch::Contains("  device: the CPU\n"));
  c.device = "cuda:1";
  CHECK_THAT(explain(mixed, c), Catch::Contains("  device: cuda:1 (every run of a comparison as well)"));
  c.device = "cuda";
  CHECK_THAT(explain(mixed, c), Catch::Contains("  device: cuda:0; a comparison running several at "
                                                "a time gives each worker a GPU of its own"));
  c.device = "auto";
  CHECK_THAT(explain(mixed, c), Catch::Contains("  device: auto: cuda:0 when this LibTorch sees a "
                                                "CUDA device, else the CPU"));
}

TEST_CASE("explain prints the learning-rate schedule, cosine unless told otherwise",
          "[dsl][explain]") {
  CHECK_THAT(explain(initial(random, 10) | cycle(1, query(random, 5))),
             Catch::Contains("schedule=cosine (to 0 at the last step)"));
  CHECK_THAT(explain(initial(random, 10) | train.schedule(lr_schedule::step) |
                     cycle(1, query(random, 5))),
             Catch::Contains("schedule=step (/10 at 1/2 and 3/4 of the steps)"));
  CHECK_THAT(explain(initial(random, 10) | train.schedule(lr_schedule::constant) |
                     cycle(1, query(random, 5))),
             Catch::Contains("lr=0.001 weight_decay=0.0005 schedule=constant epochs=30"));
}

}  // namespace explain_test
