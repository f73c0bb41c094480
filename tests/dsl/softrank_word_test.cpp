// softrank(s, β) in the DSL: its plan, its spelling and its rules, alike in
// both front ends.

#include <al/al.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <variant>

namespace softrank_word_test {

using namespace al;
using al::random;

TEST_CASE("softrank(s, beta) is a set selector over a scorer, with the scorer's needs",
          "[dsl][softrank]") {
  STATIC_REQUIRE(decltype(softrank(bald, 1))::kind == selector_kind::set_selector);
  STATIC_REQUIRE(decltype(softrank(bald, 1))::needs == bald_t::needs);
  constexpr auto p = initial(random, 10) | cycle(2, query(softrank(entropy, 2), 5));
  const auto typed = lower(p);
  CHECK(to_string(p) == "initial(random, 10) | cycle(2, query(softrank(entropy, 2), 5))");
  CHECK(parse(to_string(p)) == typed);
  const auto* select = std::get_if<select_step>(&typed.steps.at(4));
  REQUIRE(select);
  CHECK(select->selector.name == "softrank");
  CHECK(select->selector.parameter == 2);
  CHECK(select->selector.inner.at(0).name == "entropy");
  CHECK_THAT(explain(p), Catch::Contains("probability proportional to rank^-2 by entropy"));
}

TEST_CASE("softrank's rules are the same in text as in C++", "[dsl][softrank]") {
  SECTION("beta out of [0, 1000]: AL040, with a caret under beta") {
    for (const std::string beta : {"-1", "1001"}) {
      const auto text = "initial(random, 10) | query(softrank(entropy, " + beta + "), 5)";
      CHECK_THROWS_WITH(parse(text), Catch::StartsWith("AL040: softrank(s, " + beta + ")") &&
                                         Catch::Contains("\n" + std::string(48, ' ') + "^"));
    }
    CHECK_THROWS_WITH(softrank(entropy, -1), Catch::StartsWith("AL040"));
    CHECK_NOTHROW(parse("initial(random, 10) | query(softrank(entropy, 0), 5)"));
  }
  SECTION("a set selector has no ranks: AL040") {
    CHECK_THROWS_WITH(parse("initial(random, 10) | query(softrank(coreset, 1), 5)"),
                      Catch::StartsWith("AL040: softrank(s, beta) samples by the ranks"));
  }
  SECTION("pt4al cannot be nested: AL031") {
    CHECK_THROWS_WITH(
        parse("pretrain(rotation) | initial(random, 10) | query(softrank(pt4al(entropy), 1), 5)"),
        Catch::StartsWith("AL031"));
  }
  SECTION("not an initial strategy: AL023") {
    CHECK_THROWS_WITH(parse("initial(softrank(entropy, 1), 10)"), Catch::StartsWith("AL023"));
  }
}

TEST_CASE("softrank is in the word table, with its usage", "[dsl][softrank][words]") {
  const auto word = find_word("softrank");
  REQUIRE(word);
  CHECK(word->is_combinator());
  CHECK(word->usage == "softrank(s, beta)");
}

}  // namespace softrank_word_test
