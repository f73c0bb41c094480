// The text front end: it reads what to_string prints, gives the same plan as
// the typed DSL, and points at mistakes.

#include <al/al.hpp>

#include <catch2/catch.hpp>

#include <optional>

#include <tuple>

namespace parse_test {

using namespace al;
using al::random;

// Every pipeline shape the examples and tests use, and a few more.
const auto pipelines = std::make_tuple(
    initial(random, 100) | cycle(6, query(entropy, 100)),
    initial(random, 100) | train | cycle(6, query(least_confidence, 100)),
    initial(random, 20) | train.epochs(2).min_steps(20) | cycle(2, query(margin, 20)),
    initial(random, 40) | train.epochs(20) | cycle(2, query(margin, 40)),
    initial(random, 20) | train.epochs(30).min_steps(200) | cycle(2, query(entropy, 20)),
    train(optimizer::sgd).lr(0.05).momentum(0.8).weight_decay(1e-4).warm_start() |
        initial(random, 10) | query(entropy, 5),
    initial(random, 20) | train.schedule(lr_schedule::constant) | cycle(2, query(margin, 20)),
    initial(random, 20) | train.bf16() | cycle(2, query(margin, 20) | train.bf16(false)),
    initial(random, 20) | train.schedule(lr_schedule::step).epochs(4) |
        cycle(2, query(entropy, 20) | train.schedule(lr_schedule::cosine)),
    initial(least_confidence, 10) | train.batch_size(64).lr(3e-4).warm_start(false) |
        cycle(3, query(random, 7) | train.epochs(9)) | cycle(2, query(entropy, 3)),
    initial(random, 100) | cycle(2, query(coreset, 50)) | cycle(2, query(badge, 50)),
    initial(random, 100) | cycle(3, query(prefilter(entropy, 10) >> coreset, 100)),
    initial(random, 100) | cycle(3, query(prefilter(bald.passes(7), 2.5) >> badge, 100)),
    initial(random, 100) | cycle(3, query(mix(margin, random, 0.25), 100)),
    initial(random, 100) |
        cycle(3, query(mix(prefilter(least_confidence, 4) >> coreset, bald, 0.5), 100)),
    // Self-supervised pretraining, the linear probe and PT4AL.
    pretrain(simsiam) | initial(random, 100) | cycle(2, query(margin, 50)),
    pretrain(simsiam).epochs(20).batch_size(128).lr(0.03).weight_decay(0.0001).projector(256)
            .predictor(64) |
        train.linear_probe() | initial(random, 100) | cycle(2, query(entropy, 50)),
    pretrain(rotation).epochs(5).lr(0.1) | initial(pt4al(least_confidence), 100) |
        cycle(3, query(pt4al(least_confidence), 100)),
    pretrain(rotation) | initial(pt4al(random), 20) | train.epochs(3).linear_probe(false) |
        cycle(2, query(pt4al(bald.passes(5)), 20) | train.linear_probe()) |
        cycle(1, query(prefilter(margin, 2) >> coreset, 20)),
    // Balance across classes: BASE, its generalisation and CBAL.
    initial(random, 100) | cycle(3, query(balanced(entropy), 100)),
    initial(random, 100) | cycle(2, query(balanced(boundary), 50)) | cycle(1, query(boundary, 20)),
    initial(random, 100) | cycle(3, query(class_balanced(entropy, 0.6), 100)),
    initial(random, 100) | cycle(2, query(class_balanced(bald.passes(5), 0), 100)),
    initial(random, 100) |
        cycle(2, query(mix(balanced(margin), class_balanced(least_confidence, 2.5), 0.5), 100)),
    initial(random, 100) | cycle(2, query(prefilter(entropy, 4) >> balanced(random), 50)));

TEST_CASE("parse(to_string(p)) gives the same plan as lower(p)", "[dsl][parse][property]") {
  std::apply(
      [](const auto&... p) {
        (
            [&] {
              const auto text = to_string(p);
              INFO(text);
              CHECK(parse(text) == lower(p));
              CHECK(to_string(p) == text);  // printing is stable
            }(),
            ...);
      },
      pipelines);
}

TEST_CASE("to_string prints the grammar the parser reads", "[dsl][parse]") {
  CHECK(to_string(initial(random, 100) | train.epochs(40).lr(0.0003) | cycle(6, query(entropy, 100))) ==
        "initial(random, 100) | train.epochs(40).lr(0.0003) | cycle(6, query(entropy, 100))");
  CHECK(to_string(train(optimizer::sgd).warm_start()) == "train(sgd).warm_start()");
  CHECK(to_string(train.epochs(3).bf16()) == "train.epochs(3).bf16()");
  CHECK(parse("initial(random, 10) | train.bf16(true) | query(margin, 5)") ==
        lower(initial(random, 10) | train.bf16() | query(margin, 5)));
  CHECK(parse("  initial( random ,100 )|cycle(2,query(margin, 5)) ") ==
        lower(initial(random, 100) | cycle(2, query(margin, 5))));
}

TEST_CASE("parse errors name the mistake, point at it and suggest the nearest word",
          "[dsl][parse][errors]") {
  SECTION("a misspelt strategy") {
    CHECK_THROWS_WITH(parse("initial(random, 100) | cycle(6, query(entrpy, 100))"),
                      "AL001: unknown strategy 'entrpy'; did you mean entropy?\n"
                      "  initial(random, 100) | cycle(6, query(entrpy, 100))\n"
                      "                                        ^");
  }
  SECTION("a misspelt stage and option") {
    CHECK_THROWS_WITH(parse("iniital(random, 100)"),
                      Catch::StartsWith("AL001: unknown stage 'iniital'; did you mean initial?"));
    CHECK_THROWS_WITH(parse("initial(random, 1) | train.epoch(3)"),
                      Catch::StartsWith("AL001: unknown train option 'epoch'; did you mean epochs?"));
  }
  SECTION("a word nobody knows gets the list of words") {
    CHECK_THROWS_WITH(parse("initial(random, 1) | query(xyzzyq, 3)"),
                      Catch::Contains("known words: badge, bald, boundary, coreset, entropy, least_confidence, margin, mcdal, probcover, random, tod, typiclust, balanced, class_balanced, mix, prefilter, pt4al"));
  }
  SECTION("bad numbers") {
    CHECK_THROWS_WITH(parse("initial(random, 1o0)"),
                      Catch::StartsWith("AL003: the number of samples must be a whole number, found '1o0'"));
    CHECK_THROWS_WITH(parse("initial(random, 10) | train.lr(fast)"),
                      Catch::StartsWith("AL003: lr must be a number, found 'fast'"));
    CHECK_THROWS_WITH(parse("initial(random, 10) | query(entropy, 2.5)"), Catch::StartsWith("AL003"));
  }
  SECTION("syntax") {
    CHECK_THROWS_WITH(parse("initial(random, 100) cycle(2, query(entropy, 5))"),
                      Catch::StartsWith("AL002: unexpected 'c' after the pipeline"));
    CHECK_THROWS_WITH(parse("initial(random 100)"),
                      Catch::StartsWith("AL002: expected ',' after the strategy, found '1'"));
    CHECK_THROWS_WITH(parse(""), Catch::StartsWith("AL002: expected a stage"));
  }
  SECTION("the typed DSL's rules, with a caret at the stage") {
    CHECK_THROWS_WITH(parse("initial(random, 0)"), Catch::StartsWith("AL004: initial(random, 0) labels no sample"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | query(margin, 0)"), Catch::StartsWith("AL005"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | cycle(0, query(margin, 5))"), Catch::StartsWith("AL006"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | initial(random, 5)"),
                      "AL007: the pipeline has two initial(...) stages; keep one: the initial set "
                      "is labelled once, before the first cycle\n"
                      "  initial(random, 5) | initial(random, 5)\n"
                      "                       ^");
    CHECK_THROWS_WITH(parse("initial(random, 5) | cycle(2, query(margin, 5)) | initial(random, 5)"),
                      Catch::StartsWith("AL008: initial(...) comes after a query"));
    CHECK_THROWS_WITH(parse("cycle(2, query(margin, 5)) | initial(random, 5)"), Catch::StartsWith("AL008"));
    CHECK_THROWS_WITH(parse("cycle(2, query(margin, 5))"), Catch::StartsWith("AL009"));
    CHECK_THROWS_WITH(parse("train.epochs(3)"), Catch::StartsWith("AL010"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | cycle(2, query(margin, 5) | initial(random, 5))"),
                      Catch::StartsWith("AL011: initial(...) cannot go inside cycle(n, body)"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | cycle(2, train.epochs(3))"),
                      Catch::StartsWith("AL012: cycle(n, body): the body needs exactly one query(...), found 0"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | train.epochs(3).epochs(4)"), Catch::StartsWith("AL013"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | train.schedule(cosin)"),
                      Catch::StartsWith("AL001: unknown schedule 'cosin'; did you mean cosine?"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | train.schedule(linear)"),
                      Catch::StartsWith("AL001: unknown schedule 'linear'; known words: cosine, "
                                        "step, constant"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | train.schedule()"),
                      Catch::StartsWith("AL002: expected a schedule, cosine, step, constant"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | train.schedule(step).schedule(step)"),
                      Catch::Contains("AL013"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | train.momentum(1.5)"),
                      Catch::StartsWith("AL014: train option .momentum(...) must be in [0, 1)"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | cycle(2, entropy)"),
                      Catch::StartsWith("AL015: entropy is a strategy, not a stage"));
    CHECK_THROWS_WITH(parse("initial(random, 5) | query(cycle(1, query(entropy, 1)), 3)"),
                      Catch::StartsWith("AL016: cycle(...) is a stage, not a strategy"));
  }
  SECTION("parse errors are plan errors and carry the position") {
    try {
      parse("initial(random, 5) | query(entrpy, 3)");
      FAIL("no error");
    } catch (const parse_error& e) {
      CHECK(e.position == 27);
    }
  }
}

TEST_CASE("combinators parse, print and check their numbers", "[dsl][parse][combinators]") {
  const auto p = lower(initial(random, 10) | query(prefilter(entropy, 10) >> coreset, 5));
  const auto& select = std::get<select_step>(p.steps[4]);
  CHECK(select.selector.name == "prefilter");
  CHECK(select.selector.parameter == 10);
  REQUIRE(select.selector.inner.size() == 2);
  CHECK(select.selector.inner[0].name == "entropy");
  CHECK(select.selector.inner[1].name == "coreset");
  CHECK(select.selector.needs == (needs_set{need::probs} | need::embedding));
  CHECK(select.selector.description == "the 10 x b most entropy samples, then coreset among them");
  STATIC_REQUIRE(needs(query(mix(coreset, bald, 0.5), 3)).contains(need::mc_dropout));
  STATIC_REQUIRE(needs(query(mix(coreset, bald, 0.5), 3)).contains(need::embedding));

  CHECK_THROWS_WITH(parse("initial(random, 10) | query(prefilter(entropy, 10), 5)"),
                    Catch::StartsWith("AL002: prefilter(s, m) needs a set selector after it"));
  CHECK_THROWS_WITH(parse("initial(random, 10) | query(prefilter(entropy, 10) >> margin, 5)"),
                    Catch::StartsWith("AL020: prefilter(s, m) >> x: x must be a set selector"));
  CHECK_THROWS_WITH(parse("initial(random, 10) | query(prefilter(coreset, 10) >> badge, 5)"),
                    Catch::StartsWith("AL021"));
  CHECK_THROWS_WITH(parse("initial(random, 10) | query(prefilter(entropy, 0.5) >> coreset, 5)"),
                    Catch::StartsWith("AL019: prefilter(s, 0.5) must keep at least the query itself"));
  CHECK_THROWS_WITH(parse("initial(random, 10) | query(mix(entropy, random, 1.5), 5)"),
                    Catch::StartsWith("AL022: mix(a, b, 1.5)"));
  CHECK_THROWS_WITH(parse("initial(coreset, 10)"), Catch::StartsWith("AL023: initial(s, n) takes a per-sample scorer"));
  CHECK_THROWS_WITH(parse("initial(random, 10) | query(entropy >> coreset, 5)"),
                    Catch::StartsWith("AL002: '>>' follows only prefilter(s, m)"));
  CHECK_THROWS_WITH(parse("initial(random, 10) | query(bald.passes(1), 5)"), Catch::StartsWith("AL018"));
  double half = 0.5;
  CHECK_THROWS_WITH(prefilter(entropy, half), Catch::StartsWith("AL019"));
  CHECK_THROWS_WITH(mix(entropy, random, half * 3), Catch::StartsWith("AL022"));
}

namespace {
struct every_other_t {
  static constexpr std::string_view name = "every_other_test_word";
  static constexpr needs_set needs{};
  static constexpr selector_kind kind = selector_kind::scorer;
  static constexpr std::string_view description = "a made-up word for the parser test";
};
inline constexpr every_other_t every_other{};
}  // namespace

TEST_CASE("a user's word parses once registered, like a built-in", "[dsl][parse][words]") {
  const auto text = to_string(initial(random, 10) | cycle(2, query(every_other, 5)));
  CHECK(text == "initial(random, 10) | cycle(2, query(every_other_test_word, 5))");
  CHECK_THROWS_WITH(parse(text), Catch::StartsWith("AL001: unknown strategy 'every_other_test_word'"));
  register_word(every_other);
  CHECK(parse(text) == lower(initial(random, 10) | cycle(2, query(every_other, 5))));
  CHECK_THAT(explain(parse(text)), Catch::Contains("a made-up word for the parser test"));
}

}  // namespace parse_test

TEST_CASE("replace_query_strategies swaps every query's strategy where the parser found it",
          "[dsl][parse]") {
  using al::replace_query_strategies;
  CHECK(replace_query_strategies("initial(random, 9) | cycle(2, query(mix(entropy, coreset, 0.5), 9))",
                                 "random") ==
        std::optional<std::string>("initial(random, 9) | cycle(2, query(random, 9))"));
  // Nested commas and parentheses, >>, spaces and a query outside a cycle.
  CHECK(replace_query_strategies(
            "initial(margin, 10) | query( prefilter(entropy, 4) >> coreset , 5) | "
            "cycle(3, query(class_balanced(bald.passes(5), 0.6), 7) | train.epochs(3))",
            "balanced(random)") ==
        std::optional<std::string>(
            "initial(margin, 10) | query( balanced(random) , 5) | "
            "cycle(3, query(balanced(random), 7) | train.epochs(3))"));
  // The initial set keeps its strategy; without a query there is nothing to swap.
  CHECK_FALSE(replace_query_strategies("initial(entropy, 10)", "random"));
  CHECK_THROWS_AS(replace_query_strategies("initial(random, 10) | query(entrpy, 5)", "random"),
                  al::parse_error);
}

TEST_CASE("each score step says, as data, what its pass computes for which rows and how often",
          "[dsl][plan]") {
  const auto plan = al::parse(
      "initial(random, 20) | query(entropy, 5) | query(bald.passes(7), 5) | query(coreset, 5) | "
      "query(mix(bald, prefilter(margin, 2) >> coreset, 0.5), 5)");
  std::vector<al::score_step> scores;
  for (const auto& s : plan.steps) {
    if (const auto* score = std::get_if<al::score_step>(&s)) scores.push_back(*score);
  }
  REQUIRE(scores.size() == 4);
  CHECK(scores[0].mc_passes == 0);
  CHECK(scores[0].labelled_outputs.empty());
  CHECK(scores[1].mc_passes == 7);
  CHECK(scores[1].labelled_outputs.empty());
  CHECK(scores[2].mc_passes == 0);
  CHECK(scores[2].labelled_outputs == al::needs_set{al::need::embedding});
  // bald's own default inside a combinator; the labelled embeddings for coreset.
  CHECK(scores[3].mc_passes == al::mc_passes_of(al::bald.spec()));
  CHECK(scores[3].mc_passes >= 2);
  CHECK(scores[3].labelled_outputs == al::needs_set{al::need::embedding});
}
