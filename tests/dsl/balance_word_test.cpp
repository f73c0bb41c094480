// Balance in the DSL: the boundary scorer, balanced(s), class_balanced(s, λ),
// their plans, spellings and rules in both front ends.

#include <al/al.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <variant>

namespace balance_word_test {

using namespace al;
using al::random;

select_step first_query(const plan& p) {
  for (const auto& s : p.steps) {
    if (const auto* step = std::get_if<select_step>(&s)) return *step;
  }
  FAIL("the plan has no query");
  return {};
}

TEST_CASE("boundary is a per-sample scorer that needs the embedding and the head",
          "[dsl][balance]") {
  STATIC_REQUIRE(scorer<boundary_t>);
  STATIC_REQUIRE(boundary_t::needs == (needs_set{need::embedding} | need::head_weights));
  const auto chosen = first_query(lower(initial(random, 10) | cycle(1, query(boundary, 5))));
  CHECK(chosen.selector.name == "boundary");
  CHECK(to_string(need::head_weights) == "head_weights");
}

TEST_CASE("balanced(s) and class_balanced(s, lambda) are set selectors over a scorer",
          "[dsl][balance]") {
  STATIC_REQUIRE(decltype(balanced(entropy))::kind == selector_kind::set_selector);
  STATIC_REQUIRE(decltype(class_balanced(entropy, 0.6))::kind == selector_kind::set_selector);
  STATIC_REQUIRE(decltype(balanced(boundary))::needs ==
                 (needs_set{need::embedding} | need::head_weights | need::probs));
  STATIC_REQUIRE(decltype(class_balanced(margin, 1))::needs == needs_set{need::probs});

  constexpr auto p = initial(random, 100) | cycle(2, query(class_balanced(entropy, 0.6), 50));
  const auto chosen = first_query(lower(p));
  CHECK(chosen.selector.name == "class_balanced");
  CHECK(chosen.selector.parameter == 0.6);
  REQUIRE(chosen.selector.inner.size() == 1);
  CHECK(chosen.selector.inner[0].name == "entropy");
  CHECK_THAT(chosen.selector.description,
             Catch::Contains("CBAL") && Catch::Contains("0.6") && Catch::Contains("entropy"));

  const auto base = first_query(lower(initial(random, 10) | query(balanced(boundary), 5)));
  CHECK_THAT(base.selector.description, Catch::StartsWith("BASE:"));
  const auto generic = first_query(lower(initial(random, 10) | query(balanced(margin), 5)));
  CHECK_THAT(generic.selector.description, Catch::Contains("top by margin"));
}

TEST_CASE("balance words print as they parse", "[dsl][balance][parse]") {
  CHECK(to_text(balanced(entropy)) == "balanced(entropy)");
  CHECK(to_text(balanced(boundary)) == "balanced(boundary)");
  CHECK(to_text(class_balanced(entropy, 0.6)) == "class_balanced(entropy, 0.6)");
  CHECK(to_text(class_balanced(bald.passes(4), 0)) == "class_balanced(bald.passes(4), 0)");
  const auto p = initial(random, 10) | cycle(2, query(class_balanced(margin, 0.25), 5));
  CHECK(to_string(p) == "initial(random, 10) | cycle(2, query(class_balanced(margin, 0.25), 5))");
  CHECK(parse(to_string(p)) == lower(p));
}

TEST_CASE("explain describes the balance words", "[dsl][balance][explain]") {
  const auto text = explain(initial(random, 100) | cycle(1, query(balanced(entropy), 50)));
  CHECK_THAT(text, Catch::Contains("balanced") &&
                       Catch::Contains("an equal quota per predicted class"));
}

TEST_CASE("explain under a config says when the pool is long-tailed", "[dsl][balance][explain]") {
  const auto p = initial(random, 100) | cycle(1, query(class_balanced(entropy, 0.6), 50));
  config c;
  CHECK_THAT(explain(p, c), !Catch::Contains("long-tailed"));
  c.data.long_tail = 0.01;
  CHECK_THAT(explain(p, c), Catch::Contains("data: long-tailed pool, rho = 0.01"));
}

TEST_CASE("balance rules in both front ends", "[dsl][balance][errors]") {
  SECTION("a set selector inside: AL032") {
    for (const std::string text :
         {"initial(random, 10) | query(balanced(coreset), 5)",
          "initial(random, 10) | query(class_balanced(badge, 0.6), 5)",
          "initial(random, 10) | query(balanced(mix(entropy, random, 0.5)), 5)"}) {
      INFO(text);
      CHECK_THROWS_WITH(parse(text), Catch::StartsWith("AL032: "));
    }
  }
  SECTION("pt4al inside: AL031") {
    CHECK_THROWS_WITH(
        parse("pretrain(rotation) | initial(random, 10) | query(balanced(pt4al(margin)), 5)"),
        Catch::StartsWith("AL031: "));
  }
  SECTION("a negative lambda: AL033, at run time and in text") {
    CHECK_THROWS_WITH(class_balanced(entropy, -0.5),
                      Catch::StartsWith("AL033: class_balanced(s, -0.5): the weight lambda of "
                                        "the balance term must be 0 or more"));
    const std::string text = "initial(random, 10) | query(class_balanced(entropy, -1), 5)";
    CHECK_THROWS_WITH(parse(text), Catch::StartsWith("AL033: ") && Catch::Contains("^"));
  }
  SECTION("not an initial strategy: AL023") {
    CHECK_THROWS_WITH(parse("initial(balanced(entropy), 10)"), Catch::StartsWith("AL023"));
  }
}

TEST_CASE("the balance words are listed", "[dsl][balance][words]") {
  const auto words = strategy_words();
  CHECK(std::find(words.begin(), words.end(), "boundary") != words.end());
  const auto& combinators = combinator_words();
  CHECK(std::find(combinators.begin(), combinators.end(), "balanced") != combinators.end());
  CHECK(std::find(combinators.begin(), combinators.end(), "class_balanced") != combinators.end());
}

}  // namespace balance_word_test
