// The bald word: what it needs, how it lowers and prints, its option's check.

#include <al/al.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <variant>

namespace bald_word_test {

using namespace al;
using al::random;

select_step first_select(const plan& p) {
  for (const auto& s : p.steps) {
    if (const auto* select = std::get_if<select_step>(&s)) return *select;
  }
  FAIL("the plan has no select step");
  return {};
}

TEST_CASE("bald needs probabilities and MC-dropout passes", "[dsl][bald]") {
  STATIC_REQUIRE(scorer<bald_t>);
  STATIC_REQUIRE(bald_t::needs.contains(need::mc_dropout));
  STATIC_REQUIRE(bald_t::needs.contains(need::probs));
  STATIC_REQUIRE_FALSE(bald_t::needs.contains(need::embedding));
  constexpr auto p = initial(random, 20) | cycle(2, query(bald, 20));
  STATIC_REQUIRE(needs(p).contains(need::mc_dropout));
  CHECK(lower(p).scoring_outputs() == (needs_set{need::probs} | need::mc_dropout));
}

TEST_CASE("bald samples 20 passes unless told otherwise, and the plan records T",
          "[dsl][bald]") {
  STATIC_REQUIRE(bald.passes() == 20);
  constexpr auto fifty = bald.passes(50);
  STATIC_REQUIRE(fifty.passes() == 50);
  STATIC_REQUIRE(bald.passes() == 20);  // the setter returns a copy

  const auto plain = first_select(lower(initial(random, 20) | cycle(2, query(bald, 20))));
  CHECK(plain.selector.name == "bald");
  CHECK(plain.selector.mc_passes == 20);
  CHECK_THAT(plain.selector.description, Catch::Contains("over 20 MC-dropout passes"));

  const auto more = first_select(lower(initial(random, 20) | query(fifty, 10)));
  CHECK(more.selector.name == "bald");  // the engine finds the scorer by name
  CHECK(more.selector.mc_passes == 50);
  CHECK_THAT(more.selector.description, Catch::Contains("over 50 MC-dropout passes"));
  CHECK_FALSE(more.selector == plain.selector);

  // Words without MC passes resolve none.
  CHECK(first_select(lower(initial(random, 20) | query(entropy, 10))).selector.mc_passes == 0);
}

TEST_CASE("plain bald prints and parses back to the same plan", "[dsl][bald][parse]") {
  const auto p = initial(random, 20) | train.epochs(30).min_steps(200) |
                 cycle(2, query(bald, 20));
  const auto text = to_string(p);
  CHECK(text == "initial(random, 20) | train.epochs(30).min_steps(200) | cycle(2, query(bald, 20))");
  CHECK(parse(text) == lower(p));
  CHECK(to_text(bald.passes(50)) == "bald.passes(50)");
  CHECK(to_text(bald.passes(20)) == "bald");  // the default is the bare word

  REQUIRE(find_word("bald"));
  CHECK(find_word("bald")->spec == to_spec(bald));
  const auto words = strategy_words();
  CHECK(std::find(words.begin(), words.end(), "bald") != words.end());
}

TEST_CASE("explain shows the MC passes the scoring step computes", "[dsl][bald][explain]") {
  const auto text = explain(initial(random, 20) | cycle(2, query(bald, 20)));
  CHECK_THAT(text, Catch::StartsWith("plan: 2 cycles, 60 labels in all; scoring pass computes: "
                                     "probs, mc_dropout\n"));
  CHECK_THAT(text, Catch::Contains("select    20 samples by bald (largest mutual information "
                                   "H[mean p] - mean H[p] over 20 MC-dropout passes)"));
}

TEST_CASE("bald.passes below 2 is AL018 at run time", "[dsl][bald][errors]") {
  // Read at run time, so the check throws instead of stopping the compiler.
  volatile std::int64_t one = 1;
  CHECK_THROWS_AS(bald.passes(one), plan_error);
  CHECK_THROWS_WITH(bald.passes(one), Catch::StartsWith("AL018: bald.passes(1) must be at least 2"));
  volatile std::int64_t zero = 0;
  CHECK_THROWS_WITH(bald.passes(zero), Catch::StartsWith("AL018: bald.passes(0) must be at least 2"));
  CHECK(bald.passes(std::int64_t{2}).passes() == 2);
}

}  // namespace bald_word_test
