// Stopping rules in the DSL: until(rule, max) in both front ends, the plan's
// stop checks, the rules' errors, the kappa statistic against a count by
// hand, and each rule's decision on made-up cycles.

#include <al/al.hpp>
#include <al/metrics/agreement.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace stopping_rule_test {

using namespace al;
using al::random;

namespace {
std::vector<int> stop_check_cycles(const plan& p) {
  std::vector<int> cycles;
  for (const auto& s : p.steps) {
    if (const auto* check = std::get_if<stop_check_step>(&s)) cycles.push_back(check->cycle);
  }
  return cycles;
}

/// Cycles 0.. with these accuracies and kappas (the first has none).
std::vector<stopping_evidence> evidence(const std::vector<double>& accuracy,
                                        const std::vector<double>& agreement) {
  std::vector<stopping_evidence> out;
  for (std::size_t i = 0; i < accuracy.size(); ++i) {
    stopping_evidence e{static_cast<int>(i), static_cast<std::int64_t>(10 * (i + 1)), accuracy[i], {}};
    if (i > 0 && i - 1 < agreement.size()) e.agreement = agreement[i - 1];
    out.push_back(e);
  }
  return out;
}
}  // namespace

TEST_CASE("until(rule, max) checks the rule after each cycle of its stage, alike in both front ends",
          "[dsl][stopping]") {
  constexpr auto p = initial(typiclust, 10) | cycle(2, query(typiclust, 10)) |
                     cycle(until(stable_predictions.kappa(0.95), 3), query(margin, 20));
  const auto typed = lower(p);
  CHECK(to_string(p) ==
        "initial(typiclust, 10) | cycle(2, query(typiclust, 10)) | "
        "cycle(until(stable_predictions.kappa(0.95), 3), query(margin, 20))");
  CHECK(parse(to_string(p)) == typed);
  CHECK(stop_check_cycles(typed) == std::vector<int>{3, 4, 5});
  CHECK(typed.cycles() == 5);
  REQUIRE(typed.stopping() != nullptr);
  CHECK(typed.stopping()->threshold == 0.95);
  CHECK(typed.stopping()->window == 3);
  // The check follows the cycle's evaluation.
  const auto at = std::find_if(typed.steps.begin(), typed.steps.end(), [](const step& s) {
    return std::holds_alternative<stop_check_step>(s);
  });
  CHECK(std::holds_alternative<evaluate_step>(*std::prev(at)));
  CHECK_THAT(explain(p), Catch::StartsWith("plan: at most 5 cycles, 90 labels in all (fewer when "
                                           "stable_predictions stops it)") &&
                             Catch::Contains("[5] stop?     ends the run here if stable_predictions "
                                             "fires (predictions stable: mean Cohen's kappa between "
                                             "successive models on a stop set of 2000 pool samples "
                                             ">= 0.95 over the last 3 cycles)"));
  const auto plateau_plan = parse("initial(random, 10) | cycle(until(plateau.gain(0.01).cycles(2), 4), "
                                  "query(entropy, 10))");
  CHECK(plateau_plan == lower(initial(random, 10) |
                              cycle(until(plateau.gain(0.01).cycles(2), 4), query(entropy, 10))));
  CHECK(stop_check_cycles(plateau_plan) == std::vector<int>{1, 2, 3, 4});
  // A plan without until has no check, and no rule.
  CHECK(stop_check_cycles(parse("initial(random, 10) | cycle(3, query(entropy, 10))")).empty());
  CHECK(parse("initial(random, 10) | cycle(3, query(entropy, 10))").stopping() == nullptr);
}

TEST_CASE("stopping rules refuse what cannot run, with the same words in text as in C++",
          "[dsl][stopping]") {
  SECTION("AL042: a stage after the until(...) cycle") {
    const auto text = std::string("initial(random, 10) | cycle(until(plateau, 3), query(margin, 20)) | "
                                  "cycle(2, query(entropy, 10))");
    CHECK_THROWS_WITH(parse(text), Catch::StartsWith("AL042: until(rule, max) ends the run") &&
                                       Catch::Contains("\n" + std::string(70, ' ') + "^"));
    CHECK_THROWS_WITH(lower(initial(random, 10) | cycle(until(plateau, 3), query(margin, 20)) |
                            query(entropy, 10)),
                      Catch::StartsWith("AL042"));
    CHECK_THROWS_WITH(lower(initial(random, 10) | cycle(until(plateau, 3), query(margin, 20)) |
                            cycle(until(plateau, 3), query(margin, 20))),
                      Catch::StartsWith("AL042"));
  }
  SECTION("AL041: options out of range") {
    for (const std::string kappa : {"0", "1.5", "-0.1"}) {
      CHECK_THROWS_WITH(
          parse("initial(random, 10) | cycle(until(stable_predictions.kappa(" + kappa + "), 3), "
                "query(margin, 20))"),
          Catch::StartsWith("AL041: stable_predictions.kappa(") &&
              Catch::Contains("lies in (0, 1]"));
    }
    CHECK_THROWS_WITH(stable_predictions.kappa(0), Catch::StartsWith("AL041"));
    CHECK_THROWS_WITH(plateau.gain(0), Catch::StartsWith("AL041: plateau.gain(0)"));
    CHECK_THROWS_WITH(parse("initial(random, 10) | cycle(until(plateau.gain(2), 3), query(margin, 20))"),
                      Catch::StartsWith("AL041: plateau.gain(2)"));
    CHECK_THROWS_WITH(plateau.cycles(0), Catch::StartsWith("AL041: plateau.cycles(0)"));
    CHECK_THROWS_WITH(
        parse("initial(random, 10) | cycle(until(stable_predictions.cycles(0), 3), query(margin, 20))"),
        Catch::StartsWith("AL041: stable_predictions.cycles(0)"));
    CHECK_THROWS_WITH(
        parse("initial(random, 10) | cycle(until(stable_predictions.cycles(1.5), 3), query(margin, 20))"),
        Catch::StartsWith("AL003"));
  }
  SECTION("the count of until: AL006 and AL039") {
    CHECK_THROWS_WITH(until(plateau, 0), Catch::StartsWith("AL006"));
    CHECK_THROWS_WITH(until(plateau, limits::max_cycles + 1), Catch::StartsWith("AL039"));
    CHECK_THROWS_WITH(parse("initial(random, 10) | cycle(until(plateau, 0), query(margin, 20))"),
                      Catch::StartsWith("AL006"));
  }
  SECTION("unknown rules and options are named, with the nearest word") {
    CHECK_THROWS_WITH(parse("initial(random, 10) | cycle(until(plateu, 3), query(margin, 20))"),
                      Catch::StartsWith("AL001: unknown stopping rule 'plateu'; did you mean plateau?"));
    CHECK_THROWS_WITH(
        parse("initial(random, 10) | cycle(until(plateau.kappa(0.9), 3), query(margin, 20))"),
        Catch::StartsWith("AL001: unknown option 'kappa' of plateau; the options are gain, cycles"));
    CHECK_THROWS_WITH(parse("initial(random, 10) | cycle(until(plateau 3), query(margin, 20))"),
                      Catch::StartsWith("AL002: expected ',' after the stopping rule"));
  }
  CHECK(stopping_rule_words() == std::vector<std::string>{"plateau", "stable_predictions"});
}

TEST_CASE("Cohen's kappa matches a count by hand", "[dsl][stopping]") {
  // 10 samples, 3 classes: agree on 7; a has 4/3/3 of classes 0/1/2, b 3/4/3.
  const std::vector<std::int64_t> a{0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  const std::vector<std::int64_t> b{0, 0, 0, 1, 1, 1, 2, 2, 2, 1};
  const double observed = 0.7;
  const double chance = 0.4 * 0.3 + 0.3 * 0.4 + 0.3 * 0.3;
  CHECK(cohen_kappa(a, b, 3) == Approx((observed - chance) / (1 - chance)));
  CHECK(cohen_kappa(a, a, 3) == 1);
  // One class everywhere in both: perfect agreement, not 0/0.
  const std::vector<std::int64_t> same(5, 2);
  CHECK(cohen_kappa(same, same, 3) == 1);
  // Disagreeing everywhere on two balanced classes: -1.
  CHECK(cohen_kappa(std::vector<std::int64_t>{0, 1, 0, 1}, std::vector<std::int64_t>{1, 0, 1, 0}, 2) ==
        Approx(-1));
  CHECK_THROWS_WITH(cohen_kappa(a, std::vector<std::int64_t>{0}, 3),
                    Catch::Contains("same samples"));
  CHECK_THROWS_WITH(cohen_kappa(a, b, 2), Catch::Contains("outside [0, 2)"));
}

TEST_CASE("each rule fires where its definition says, and a plan stops at its first firing check",
          "[dsl][stopping]") {
  const auto stable = stable_predictions.rule();  // mean of the last 3 kappas >= 0.99
  // Kappas from cycle 1: 0.9, 0.995, 0.99, 0.995 (mean of 1..3 = 0.958; of 2..4 = 0.9933).
  const auto cycles = evidence({0.5, 0.6, 0.65, 0.66, 0.66}, {0.9, 0.995, 0.99, 0.995});
  CHECK_FALSE(stops_after(stable, std::span(cycles).first(3)));  // cycle 0 has no kappa
  CHECK_FALSE(stops_after(stable, std::span(cycles).first(4)));
  CHECK(stops_after(stable, cycles));
  CHECK(would_stop_at(stable, cycles) == 4);
  CHECK(would_stop_at(stable_predictions.cycles(1).rule(), cycles) == 2);

  const auto flat = plateau.rule();  // gain < 0.005 over 3 cycles
  // Gains over 3 cycles: cycle 3: 0.16, cycle 4: 0.06.
  CHECK(would_stop_at(flat, cycles) == std::nullopt);
  CHECK(would_stop_at(plateau.gain(0.1).rule(), cycles) == 4);
  CHECK(would_stop_at(plateau.cycles(1).rule(), cycles) == 4);  // 0.66 → 0.66

  const auto p = lower(initial(random, 10) | cycle(until(stable_predictions.cycles(1), 4), query(margin, 10)));
  CHECK(stopping_cycle(p, cycles) == 2);
  CHECK(stopping_cycle(p, std::span(cycles).first(2)) == std::nullopt);  // not reached yet
  const auto never = lower(initial(random, 10) | cycle(4, query(margin, 10)));
  CHECK(stopping_cycle(never, cycles) == std::nullopt);
  // A rule this program does not know is named.
  CHECK_THROWS_WITH(stops_after(stopping_rule{"mine", "", 0, 1}, cycles),
                    Catch::Contains("the rule 'mine', which this program does not know"));
}

}  // namespace stopping_rule_test
