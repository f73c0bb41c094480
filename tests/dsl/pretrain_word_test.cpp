// Self-supervised pretraining in the DSL: the pretrain stage and its pretext
// words, train.linear_probe(), the pt4al combinator and their rules.

#include <al/al.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

namespace pretrain_word_test {

using namespace al;
using al::random;

template <class Step>
std::vector<Step> steps_of(const plan& p) {
  std::vector<Step> out;
  for (const auto& s : p.steps) {
    if (const auto* step = std::get_if<Step>(&s)) out.push_back(*step);
  }
  return out;
}

/// Where the caret of the parse error that `text` gives points.
std::size_t caret_column(const std::string& text) {
  try {
    parse(text);
  } catch (const parse_error& e) {
    return e.position;
  }
  FAIL("no parse error for " << text);
  return 0;
}

TEST_CASE("pretrain lowers to the plan's first step, with the options written",
          "[dsl][pretrain]") {
  const auto p = lower(pretrain(simsiam).epochs(20).batch_size(128).lr(0.03).weight_decay(1e-4)
                           .projector(256).predictor(64) |
                       initial(random, 10) | cycle(2, query(margin, 5)));
  REQUIRE(std::holds_alternative<pretrain_step>(p.steps.front()));
  REQUIRE(steps_of<pretrain_step>(p).size() == 1);
  const auto& r = std::get<pretrain_step>(p.steps.front()).recipe;
  CHECK(r.pretext == pretext::simsiam);
  CHECK(r.epochs == 20);
  CHECK(r.batch_size == 128);
  CHECK(r.learning_rate == 0.03);
  CHECK(r.weight_decay == 1e-4);
  CHECK(r.projector_width == 256);
  CHECK(r.predictor_width == 64);
  REQUIRE(p.pretraining() != nullptr);
  CHECK(*p.pretraining() == r);
  CHECK(p.rounds() == 3);
  // The rest of the plan is what it was without pretraining.
  const auto without = lower(initial(random, 10) | cycle(2, query(margin, 5)));
  CHECK(std::vector<step>(p.steps.begin() + 1, p.steps.end()) == without.steps);
  CHECK(without.pretraining() == nullptr);

  SECTION("options not written keep pretrain_recipe's defaults") {
    const auto q = lower(pretrain(rotation) | initial(random, 10));
    // Each task has its own default learning rate, chosen by the pretext
    // the recipe is constructed with.
    const pretrain_recipe expected{pretext::rotation};
    CHECK(*q.pretraining() == expected);
    CHECK(expected.learning_rate == 0.06);
    CHECK(pretrain_recipe{}.learning_rate == 0.6);
    CHECK(std::get<pretrain_step>(lower(pretrain(simsiam) | initial(random, 10)).steps.front())
              .recipe == pretrain_recipe{});
  }
}

TEST_CASE("stages declare what they need and provide, and rotation provides the pretext losses",
          "[dsl][pretrain][needs]") {
  STATIC_REQUIRE(pretext_word<simsiam_t>);
  STATIC_REQUIRE(pretext_word<rotation_t>);
  STATIC_REQUIRE_FALSE(selector<rotation_t>);
  STATIC_REQUIRE(decltype(pretrain(rotation))::provides == needs_set{need::pretext_loss});
  STATIC_REQUIRE(decltype(pretrain(simsiam))::provides.empty());
  STATIC_REQUIRE(decltype(pretrain(rotation))::needs.empty());
  STATIC_REQUIRE(decltype(pretrain(rotation))::kind == stage_kind::pretrain);
  STATIC_REQUIRE(std::remove_cvref_t<decltype(train)>::provides.empty());
  STATIC_REQUIRE(decltype(initial(random, 1))::provides.empty());
  STATIC_REQUIRE(decltype(query(entropy, 1))::provides.empty());

  constexpr auto p = pretrain(rotation) | initial(pt4al(least_confidence), 100) |
                     cycle(3, query(pt4al(least_confidence), 100));
  STATIC_REQUIRE(needs(p).contains(need::pretext_loss));
  STATIC_REQUIRE(needs(p).contains(need::probs));
  STATIC_REQUIRE(decltype(p)::provides == needs_set{need::pretext_loss});
  STATIC_REQUIRE(needs(pretrain(simsiam) | initial(random, 10)).empty());

  SECTION("the scoring step hands the selection the pretext losses pretraining kept") {
    const auto plan = lower(p);
    CHECK(plan.scoring_outputs() == (needs_set{need::probs} | need::pretext_loss));
    const auto only_losses = lower(pretrain(rotation) | initial(random, 10) |
                                   cycle(2, query(pt4al(random), 5)));
    CHECK(only_losses.scoring_outputs() == needs_set{need::pretext_loss});
    CHECK_THAT(explain(only_losses),
               Catch::Contains("scoring pass computes: pretext_loss (from pretrain(rotation))\n") &&
                   Catch::Contains("no-grad pass -> pretext_loss (from pretrain(rotation))\n"));
  }
}

TEST_CASE("the provider rule is one constexpr function over plain data", "[dsl][rules]") {
  constexpr stage_needs rotation_first[] = {{{}, need::pretext_loss}, {need::pretext_loss, {}}};
  STATIC_REQUIRE(check_providers(rotation_first).ok);
  constexpr stage_needs simsiam_first[] = {{{}, {}}, {need::probs, {}}, {need::pretext_loss, {}}};
  constexpr auto missing = check_providers(simsiam_first);
  STATIC_REQUIRE_FALSE(missing.ok);
  STATIC_REQUIRE(missing.missing == need::pretext_loss);
  STATIC_REQUIRE(missing.stage == 2);
  // A stage cannot use what only a later stage provides.
  constexpr stage_needs provider_after[] = {{need::pretext_loss, {}}, {{}, need::pretext_loss}};
  STATIC_REQUIRE(check_providers(provider_after).stage == 0);
  STATIC_REQUIRE(provider_of(need::pretext_loss)->provider == "pretrain(rotation)");
  STATIC_REQUIRE(provider_of(need::probs) == nullptr);

  constexpr stage_kind late[] = {stage_kind::initial, stage_kind::pretrain};
  STATIC_REQUIRE(check_stage_order(late).violation == order_violation::pretrain_not_first);
  constexpr stage_kind after_train[] = {stage_kind::train, stage_kind::pretrain};
  STATIC_REQUIRE(check_stage_order(after_train).violation == order_violation::pretrain_not_first);
  constexpr stage_kind twice[] = {stage_kind::pretrain, stage_kind::initial, stage_kind::pretrain};
  STATIC_REQUIRE(check_stage_order(twice).violation == order_violation::two_pretrain_stages);
  STATIC_REQUIRE(check_stage_order(twice).stage == 2);
  constexpr stage_kind first[] = {stage_kind::pretrain, stage_kind::train, stage_kind::initial};
  STATIC_REQUIRE(check_stage_order(first).violation == order_violation::none);
}

TEST_CASE("to_string prints only the options written", "[dsl][pretrain][parse]") {
  CHECK(to_string(pretrain(simsiam)) == "pretrain(simsiam)");
  CHECK(to_string(pretrain(simsiam).epochs(20)) == "pretrain(simsiam).epochs(20)");
  CHECK(to_string(pretrain(rotation).lr(0.1).batch_size(64)) ==
        "pretrain(rotation).batch_size(64).lr(0.1)");
  CHECK(to_string(pretrain(simsiam).predictor(32).projector(128)) ==
        "pretrain(simsiam).projector(128).predictor(32)");
  CHECK(to_string(train.linear_probe()) == "train.linear_probe()");
  CHECK(to_string(train.linear_probe(false)) == "train.linear_probe(false)");
  CHECK(to_string(train.probe_first()) == "train.probe_first()");
  CHECK(to_string(train.lr(3e-4).probe_first(false)) == "train.lr(0.0003).probe_first(false)");
  CHECK(to_text(pt4al(least_confidence)) == "pt4al(least_confidence)");
  CHECK(to_text(pt4al(bald.passes(5))) == "pt4al(bald.passes(5))");
}

TEST_CASE("train.linear_probe() sets the recipe of the trainings after it", "[dsl][train]") {
  const auto p = lower(pretrain(simsiam) | initial(random, 10) | train.linear_probe() |
                       cycle(2, query(margin, 5)));
  for (const auto& t : steps_of<train_step>(p)) CHECK(t.recipe.linear_probe);
  const auto off = lower(pretrain(simsiam) | initial(random, 10) | cycle(1, query(margin, 5)));
  for (const auto& t : steps_of<train_step>(off)) CHECK_FALSE(t.recipe.linear_probe);
  CHECK_FALSE(train.linear_probe(false).recipe.linear_probe);
}

TEST_CASE("train.probe_first() asks every training after it for LP-FT", "[dsl][train]") {
  const auto p = lower(pretrain(simsiam) | initial(random, 10) | train.probe_first() |
                       cycle(2, query(margin, 5)));
  const auto trainings = steps_of<train_step>(p);
  REQUIRE(trainings.size() == 3);
  for (const auto& t : trainings) {
    CHECK(t.recipe.probe_first);
    CHECK_FALSE(t.recipe.linear_probe);
  }
  CHECK(parse("pretrain(simsiam) | initial(random, 10) | train.probe_first() | "
              "cycle(2, query(margin, 5))") == p);
  CHECK_FALSE(train.probe_first(false).recipe.probe_first);
  // The two ways to use the encoder exclude each other in either order,
  // unless one of them is turned off.
  CHECK_THROWS_WITH(train.linear_probe().probe_first(),
                    "AL036: train.linear_probe() keeps the encoder frozen for good, while "
                    "train.probe_first() fits the head on it and then fine-tunes the whole "
                    "network; keep one of them");
  CHECK_THROWS_WITH(train.probe_first().linear_probe(), Catch::StartsWith("AL036"));
  CHECK(train.linear_probe(false).probe_first().recipe.probe_first);
  CHECK(train.probe_first(false).linear_probe().recipe.linear_probe);
}

TEST_CASE("pt4al wraps a scorer: the plan names it and its inner word", "[dsl][pt4al]") {
  STATIC_REQUIRE(scorer<decltype(pt4al(margin))>);
  STATIC_REQUIRE(decltype(pt4al(margin))::needs == (needs_set{need::probs} | need::pretext_loss));
  const auto p = lower(pretrain(rotation) | initial(pt4al(margin), 10) |
                       cycle(2, query(pt4al(margin), 5)));
  const auto& first = std::get<label_initial_step>(p.steps[1]);
  CHECK(first.selector.name == "pt4al");
  REQUIRE(first.selector.inner.size() == 1);
  CHECK(first.selector.inner[0] == to_spec(margin));
  CHECK(first.selector.needs == (needs_set{need::probs} | need::pretext_loss));
  CHECK_THAT(first.selector.description,
             Catch::Contains("one batch per round") && Catch::Contains("the top by margin"));
  for (const auto& s : steps_of<select_step>(p)) CHECK(s.selector == first.selector);
}

TEST_CASE("parse errors for pretraining point at the offending stage or word",
          "[dsl][pretrain][parse][errors]") {
  CHECK_THROWS_WITH(parse("initial(random, 10) | pretrain(simsiam)"),
                    "AL024: pretraining happens once, before any label: put pretrain(...) first, "
                    "e.g. pretrain(simsiam) | initial(random, 100) | cycle(6, query(entropy, 100))\n"
                    "  initial(random, 10) | pretrain(simsiam)\n"
                    "                        ^");
  CHECK(caret_column("train.epochs(3) | pretrain(rotation) | initial(random, 10)") == 18);
  CHECK_THROWS_WITH(parse("pretrain(simsiam) | pretrain(rotation) | initial(random, 10)"),
                    Catch::StartsWith("AL025: the pipeline has two pretrain(...) stages; keep one"));
  CHECK(caret_column("pretrain(simsiam) | pretrain(rotation) | initial(random, 10)") == 20);

  CHECK_THROWS_WITH(parse("initial(pt4al(margin), 10) | cycle(2, query(margin, 5))"),
                    "AL026: pt4al needs the pretext losses of an earlier pretrain(rotation); start "
                    "the pipeline with pretrain(rotation) | initial(...)\n"
                    "  initial(pt4al(margin), 10) | cycle(2, query(margin, 5))\n"
                    "          ^");
  const std::string after_simsiam =
      "pretrain(simsiam) | initial(random, 10) | cycle(2, query(margin, 5) | train) | "
      "cycle(2, query(pt4al(margin), 5))";
  CHECK_THROWS_WITH(parse(after_simsiam), Catch::StartsWith("AL026: pt4al needs the pretext losses"));
  CHECK(caret_column(after_simsiam) == after_simsiam.find("pt4al"));

  const std::string probe = "initial(random, 10) | cycle(2, query(margin, 5) | train.epochs(3).linear_probe())";
  CHECK_THROWS_WITH(parse(probe),
                    Catch::StartsWith("AL027: train.linear_probe() trains only the head on a "
                                      "frozen encoder, and without a pretrain stage that encoder "
                                      "is random"));
  CHECK(caret_column(probe) == probe.find("linear_probe"));
  CHECK_NOTHROW(parse("initial(random, 10) | train.linear_probe(false)"));

  const std::string lp_ft = "initial(random, 10) | train.lr(3e-4).probe_first() | cycle(1, query(margin, 5))";
  CHECK_THROWS_WITH(parse(lp_ft),
                    Catch::StartsWith("AL027: train.probe_first() fits the head on the frozen "
                                      "encoder before fine-tuning, and without a pretrain stage "
                                      "that encoder is random"));
  CHECK(caret_column(lp_ft) == lp_ft.find("probe_first"));
  CHECK_NOTHROW(parse("initial(random, 10) | train.probe_first(false)"));

  const std::string both = "pretrain(simsiam) | initial(random, 10) | train.linear_probe().probe_first()";
  CHECK_THROWS_WITH(parse(both), Catch::StartsWith("AL036: train.linear_probe() keeps the encoder "
                                                   "frozen for good"));
  CHECK(caret_column(both) == both.find("probe_first"));

  const std::string projector = "pretrain(rotation).epochs(3).projector(128) | initial(random, 10)";
  CHECK_THROWS_WITH(parse(projector),
                    Catch::StartsWith("AL029: .projector(width) is an option of pretrain(simsiam) "
                                      "only"));
  CHECK(caret_column(projector) == projector.find("projector"));
  CHECK_THROWS_WITH(parse("pretrain(rotation).predictor(32) | initial(random, 10)"),
                    Catch::StartsWith("AL029: .predictor(width)"));

  CHECK_THROWS_WITH(parse("pretrain(simsiam).epochs(3).epochs(4) | initial(random, 10)"),
                    Catch::StartsWith("AL013: pretrain option .epochs(...) is given twice; keep one"));
  CHECK_THROWS_WITH(parse("pretrain(simsiam).lr(0) | initial(random, 10)"),
                    Catch::StartsWith("AL014: pretrain option .lr(...) must be positive"));
  CHECK_THROWS_WITH(parse("pretrain(simsiam).projector(0) | initial(random, 10)"),
                    Catch::StartsWith("AL014: pretrain option .projector(...) must be at least 1"));
  CHECK_THROWS_WITH(parse("pretrain(simsiam).batch_size(1) | initial(random, 10)"),
                    Catch::StartsWith("AL014: pretrain option .batch_size(...) must be at least 2"));
  CHECK_THROWS_WITH(parse("pretrain(simsam) | initial(random, 10)"),
                    Catch::StartsWith("AL001: unknown pretext task 'simsam'; did you mean simsiam?"));
  CHECK_THROWS_WITH(parse("pretrain(simsiam).epoch(3) | initial(random, 10)"),
                    Catch::StartsWith("AL001: unknown pretrain option 'epoch'; did you mean epochs?"));
  CHECK_THROWS_WITH(parse("pretrain(entropy) | initial(random, 10)"),
                    Catch::StartsWith("AL028: pretrain(p) takes a pretext task"));
  CHECK_THROWS_WITH(parse("pretrain(rotation) | initial(rotation, 10)"),
                    Catch::StartsWith("AL028: rotation is a pretext task for pretrain(...), not a "
                                      "strategy"));
  CHECK_THROWS_WITH(parse("simsiam | initial(random, 10)"),
                    Catch::StartsWith("AL028: simsiam is a pretext task, not a stage"));
  CHECK_THROWS_WITH(parse("initial(random, 10) | cycle(2, query(margin, 5) | pretrain(simsiam))"),
                    Catch::StartsWith("AL011: pretrain(...) cannot go inside cycle(n, body)"));
  CHECK_THROWS_WITH(parse("pretrain | initial(random, 10)"),
                    Catch::StartsWith("AL002: expected '(' after pretrain"));
}

TEST_CASE("pt4al takes one scorer and is never nested", "[dsl][pt4al][parse][errors]") {
  const std::string set = "pretrain(rotation) | initial(random, 10) | query(pt4al(coreset), 5)";
  CHECK_THROWS_WITH(parse(set), Catch::StartsWith("AL030: pt4al(s) ranks the round's batch by a "
                                                  "per-sample score"));
  CHECK(caret_column(set) == set.find("coreset"));
  for (const std::string nested :
       {"pretrain(rotation) | initial(random, 10) | query(mix(pt4al(margin), random, 0.5), 5)",
        "pretrain(rotation) | initial(random, 10) | query(mix(random, pt4al(margin), 0.5), 5)",
        "pretrain(rotation) | initial(random, 10) | query(prefilter(pt4al(margin), 2) >> coreset, 5)",
        "pretrain(rotation) | initial(random, 10) | query(pt4al(pt4al(margin)), 5)"}) {
    INFO(nested);
    CHECK_THROWS_WITH(parse(nested), Catch::StartsWith("AL031: pt4al(...) is the whole strategy"));
    CHECK(caret_column(nested) == nested.rfind("pt4al(margin)"));
  }
}

TEST_CASE("the same rules hold at run time in both front ends", "[dsl][pretrain][errors]") {
  // Values read at run time: the typed setters throw instead of stopping the compiler.
  volatile std::int64_t zero = 0;
  CHECK_THROWS_WITH(pretrain(simsiam).epochs(zero),
                    Catch::StartsWith("AL014: pretrain option .epochs(...) must be at least 1"));
  CHECK_THROWS_WITH(pretrain(rotation).epochs(3).epochs(zero + 4),
                    Catch::StartsWith("AL013: pretrain option .epochs(...) is given twice"));
  CHECK_THROWS_WITH(pretrain(simsiam).predictor(zero),
                    Catch::StartsWith("AL014: pretrain option .predictor(...) must be at least 1"));
  CHECK_THROWS_WITH(pretrain(simsiam).weight_decay(-1.0 * (zero + 1)),
                    Catch::StartsWith("AL014: pretrain option .weight_decay(...) must be 0 or more"));
  // The train messages keep their wording.
  CHECK_THROWS_WITH(train.lr(-1.0 * (zero + 1)),
                    Catch::StartsWith("AL014: train option .lr(...) must be positive"));

  // linear_probe is a value, so AL027 is checked when the pipeline is lowered.
  CHECK_THROWS_WITH(lower(initial(random, 10) | train.linear_probe() | cycle(1, query(margin, 5))),
                    Catch::StartsWith("AL027"));
  CHECK_NOTHROW(lower(pretrain(rotation) | initial(random, 10) | train.linear_probe()));
  CHECK_THROWS_WITH(lower(initial(random, 10) | train.probe_first() | cycle(1, query(margin, 5))),
                    Catch::StartsWith("AL027: train.probe_first()"));

  SECTION("the plan builder enforces the order and provider rules for any front end") {
    detail::plan_builder late;
    late.set_recipe({});
    CHECK_THROWS_WITH(late.add_pretrain({}), Catch::StartsWith("AL024"));
    detail::plan_builder twice;
    twice.add_pretrain({});
    CHECK_THROWS_WITH(twice.add_pretrain({}), Catch::StartsWith("AL025"));
    detail::plan_builder unprovided;
    unprovided.add_pretrain({});  // simsiam keeps no losses
    CHECK_THROWS_WITH(unprovided.add_initial(pt4al_spec(to_spec(margin)), 10),
                      Catch::StartsWith("AL026: pt4al needs the pretext losses of an earlier "
                                        "pretrain(rotation)"));
    detail::plan_builder provided;
    provided.add_pretrain(pretrain_recipe{pretext::rotation});
    provided.add_initial(pt4al_spec(to_spec(margin)), 10);
    CHECK(std::holds_alternative<pretrain_step>(provided.finish().steps.front()));
  }
}

TEST_CASE("explain shows the pretraining, the linear probe and LP-FT", "[dsl][pretrain][explain]") {
  const auto simsiam_text = explain(pretrain(simsiam) | initial(random, 100) |
                                    train.linear_probe() | cycle(1, query(margin, 50)));
  CHECK_THAT(simsiam_text,
             Catch::StartsWith("plan: 1 cycle, 150 labels in all, pretrained by simsiam; scoring "
                               "pass computes: probs\n"
                               "  [0] pretrain  simsiam on every pool image, no labels: epochs=10 "
                               "batch_size=256 sgd lr=0.6 (cosine) weight_decay=0.0005 "
                               "projector=512 predictor=128; every training starts from the "
                               "pretrained encoder\n"
                               "  [0] label     initial set: 100 samples by random"));
  CHECK_THAT(simsiam_text,
             Catch::Contains("  [0] train     100 labels: adam lr=0.001 weight_decay=0.0005 "
                             "schedule=cosine (to 0 at the last step) epochs=30 (at least 300 steps) batch_size=32, from the pretrained "
                             "encoder and the seed's initial head; linear probe: encoder frozen, "
                             "head trained\n"));

  const auto rotation_text = explain(pretrain(rotation).epochs(15) | initial(pt4al(margin), 100) |
                                     cycle(1, query(pt4al(margin), 50)));
  CHECK_THAT(rotation_text,
             Catch::Contains("  [0] pretrain  4-way rotation head on every pool image, no labels: "
                             "epochs=15 batch_size=256 sgd lr=0.06 (cosine) weight_decay=0.0005; "
                             "keeps each sample's pretext loss (mean cross-entropy over the 4 "
                             "rotations); every training starts from the pretrained encoder\n"));
  CHECK_THAT(rotation_text, !Catch::Contains("projector"));

  const auto lp_ft_text = explain(pretrain(simsiam) | initial(random, 100) | train.probe_first() |
                                  cycle(1, query(margin, 50)));
  CHECK_THAT(lp_ft_text,
             Catch::Contains("from the pretrained encoder and the seed's initial head; probe "
                             "first: the head is fitted on the frozen encoder, then the whole "
                             "network fine-tuned\n"));
  CHECK_THAT(rotation_text, Catch::Contains("select    50 samples by pt4al (PT4AL: the pool sorted "
                                            "by rotation loss, one batch per round"));
}

}  // namespace pretrain_word_test
