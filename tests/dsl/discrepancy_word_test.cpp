// Discrepancy in the DSL: mcdal, tod and train.cod(), their plans (auxiliary
// heads, warm start, tod's random first query), spellings and rules in both
// front ends.

#include <al/al.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <variant>
#include <vector>

namespace discrepancy_word_test {

using namespace al;
using al::random;

std::vector<train_step> trainings(const plan& p) {
  std::vector<train_step> out;
  for (const auto& s : p.steps) {
    if (const auto* step = std::get_if<train_step>(&s)) out.push_back(*step);
  }
  return out;
}

std::vector<select_step> queries(const plan& p) {
  std::vector<select_step> out;
  for (const auto& s : p.steps) {
    if (const auto* step = std::get_if<select_step>(&s)) out.push_back(*step);
  }
  return out;
}

TEST_CASE("mcdal needs the auxiliary heads, and every training of its plan trains them",
          "[dsl][mcdal]") {
  STATIC_REQUIRE(scorer<mcdal_t>);
  STATIC_REQUIRE(mcdal_t::needs == (needs_set{need::probs} | need::aux_heads));
  const auto p = lower(initial(random, 10) | cycle(2, query(mcdal, 5)));
  const auto trains = trainings(p);
  REQUIRE(trains.size() == 3);
  for (const auto& t : trains) {
    CHECK(t.recipe.auxiliary_heads);
    CHECK_FALSE(t.recipe.warm_start);
  }
  CHECK_FALSE(trainings(lower(initial(random, 10) | cycle(2, query(entropy, 5))))[0]
                  .recipe.auxiliary_heads);
  CHECK(explain(p).find("MCDAL: two auxiliary heads") != std::string::npos);
}

TEST_CASE("tod warm-starts every training and its first query is random, as the plan says",
          "[dsl][tod]") {
  STATIC_REQUIRE(scorer<tod_t>);
  STATIC_REQUIRE(tod_t::needs == (needs_set{need::probs} | need::previous_outputs));
  const auto p = lower(initial(random, 10) | cycle(3, query(tod, 5)));
  for (const auto& t : trainings(p)) CHECK(t.recipe.warm_start);
  const auto selects = queries(p);
  REQUIRE(selects.size() == 3);
  CHECK(selects[0].selector.description.find("tod scores at random in this query") !=
        std::string::npos);
  CHECK(selects[1].selector.description.find("at random") == std::string::npos);
  CHECK(selects[0].selector.name == "tod");
  const auto text = explain(p);
  CHECK(text.find("note: tod compares each model with the previous cycle's, so every training "
                  "warm-starts") != std::string::npos);
  SECTION("a query outside cycle(...) counts the same") {
    const auto q = lower(initial(random, 10) | query(entropy, 5) | query(tod, 5));
    CHECK(queries(q)[1].selector.description.find("at random") == std::string::npos);
  }
  SECTION("nested in a combinator too") {
    const auto q = lower(initial(random, 10) | cycle(2, query(balanced(tod), 6)));
    CHECK(queries(q)[0].selector.description.find("tod scores at random") != std::string::npos);
    for (const auto& t : trainings(q)) CHECK(t.recipe.warm_start);
  }
}

TEST_CASE("train.cod() sets TOD's consistency weight, with any strategy", "[dsl][cod]") {
  const auto p = initial(random, 10) | train.cod() | cycle(2, query(entropy, 5));
  CHECK(trainings(lower(p))[0].recipe.consistency_weight == 0.02);
  CHECK(trainings(lower(initial(random, 10) | train.cod(0.1) | cycle(1, query(margin, 5))))[0]
            .recipe.consistency_weight == 0.1);
  CHECK(explain(p).find("COD: + 0.02*[MSE(f, g) + MSE(g, EMA teacher)]") != std::string::npos);
  CHECK_THROWS_WITH(train.cod(-1), Catch::Contains("AL014"));
}

TEST_CASE("both front ends spell and read mcdal, tod and cod alike", "[dsl][parse]") {
  const auto a = initial(random, 10) | train.cod() | cycle(2, query(tod, 5));
  const auto b = initial(random, 10) | train.epochs(3).cod(0.5) | cycle(2, query(mcdal, 5));
  CHECK(to_string(a) == "initial(random, 10) | train.cod() | cycle(2, query(tod, 5))");
  CHECK(to_string(b) == "initial(random, 10) | train.epochs(3).cod(0.5) | cycle(2, query(mcdal, 5))");
  CHECK(parse(to_string(a)) == lower(a));
  CHECK(parse(to_string(b)) == lower(b));
}

TEST_CASE("tod cannot choose the initial set (AL034)", "[dsl][tod]") {
  CHECK_THROWS_WITH(parse("initial(tod, 100) | cycle(2, query(tod, 10))"),
                    Catch::Contains("AL034: initial(...) cannot use tod") &&
                        Catch::Contains("\n          ^"));
}

TEST_CASE("a linear probe refuses COD and MCDAL (AL035)", "[dsl][cod][mcdal]") {
  CHECK_THROWS_WITH(
      parse("pretrain(simsiam) | initial(random, 10) | train.linear_probe().cod() | "
            "query(entropy, 5)"),
      Catch::Contains("AL035") && Catch::Contains("but train.cod() trains every step"));
  CHECK_THROWS_WITH(
      parse("pretrain(simsiam) | initial(random, 10) | train.linear_probe() | query(mcdal, 5)"),
      Catch::Contains("AL035") && Catch::Contains("but mcdal trains every step"));
  CHECK_THROWS_WITH(
      lower(pretrain(simsiam) | initial(random, 10) | query(mcdal, 5) | train.linear_probe() |
            query(entropy, 5)),
      Catch::Contains("AL035"));
}

}  // namespace discrepancy_word_test
