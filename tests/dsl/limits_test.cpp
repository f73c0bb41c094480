// Upper bounds on every number and on nesting (al/limits.hpp): what a
// hostile or generated text, and a typed pipeline with the same numbers,
// get instead of a crash, a hang or a silently wrong plan. The first test
// cases are the findings that asked for the bounds, each of which crashed,
// hung or misreported before them.

#include <al/al.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace limits_test {

using namespace al;
using al::random;

std::string repeat(std::string_view piece, int times) {
  std::string out;
  out.reserve(piece.size() * static_cast<std::size_t>(times));
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

/// The error code `f` throws ("AL037"), or "none".
template <class F>
std::string code_of(F&& f) {
  try {
    f();
  } catch (const plan_error& e) {
    return std::string(e.what()).substr(0, 5);
  }
  return "none";
}

/// The milliseconds `f` takes.
template <class F>
double milliseconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

TEST_CASE("5000 nested mix(...) is AL037 at the 9th, not a stack overflow",
          "[dsl][parse][limits][regression]") {
  const std::string head = "initial(random, 50) | cycle(1, query(";
  const auto text = head + repeat("mix(", 5000) + "entropy" + repeat(", random, 0.5)", 5000) + ", 10))";
  try {
    parse(text);
    FAIL("no error");
  } catch (const parse_error& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("AL037: mix(...) is nested deeper than 8 levels of "
                                           "combinators"));
    // The caret is under the first mix past the limit.
    CHECK(e.position == head.size() + 4 * limits::max_nesting);
  }
}

TEST_CASE("8000 nested balanced(...) is AL037, not a stack overflow",
          "[dsl][parse][limits][regression]") {
  const auto text = "initial(random, 50) | cycle(1, query(" + repeat("balanced(", 8000) + "entropy" +
                    repeat(")", 8000) + ", 10))";
  CHECK_THROWS_WITH(parse(text), Catch::StartsWith("AL037: balanced(...) is nested deeper than 8"));
}

TEST_CASE("every combinator nests up to the limit and no further", "[dsl][parse][limits]") {
  // Each combinator nested `depth` deep around entropy, as text.
  struct nesting {
    std::string_view word, open, close;
  };
  const std::vector<nesting> combinators = {
      {"mix", "mix(", ", random, 0.5)"},
      {"prefilter", "prefilter(entropy, 2) >> mix(", ", coreset, 0.5)"},
      {"pt4al", "pt4al(", ")"},
      {"balanced", "balanced(", ")"},
      {"class_balanced", "class_balanced(", ", 0.5)"},
  };
  for (const auto& c : combinators) {
    const auto nested = [&](int depth) {
      return "initial(random, 5) | query(" + repeat(c.open, depth) + "entropy" + repeat(c.close, depth) +
             ", 5)";
    };
    INFO(c.word);
    // At the limit, the error (if any) is the combinator's own rule, such
    // as AL031 for pt4al in pt4al; past it, AL037 comes first.
    CHECK(code_of([&] { parse(nested(limits::max_nesting / 4)); }) != "AL037");
    CHECK(code_of([&] { parse(nested(limits::max_nesting + 1)); }) == "AL037");
    CHECK(code_of([&] { parse(nested(100000)); }) == "AL037");
  }
  SECTION("8 nested mix parse, and the plan records 8 levels") {
    const std::string text = "initial(random, 5) | query(" + repeat("mix(", 8) + "entropy" +
                             repeat(", margin, 0.5)", 8) + ", 5)";
    const auto p = parse(text);
    CHECK(detail::nesting_of(std::get<select_step>(p.steps[4]).selector) == 8);
  }
  SECTION("a prefilter chain counts one level per >>") {
    const auto chain = [](int links) {
      return "initial(random, 5) | query(" + repeat("prefilter(entropy, 2) >> ", links) + "coreset, 5)";
    };
    CHECK(code_of([&] { parse(chain(limits::max_nesting)); }) == "none");
    CHECK(code_of([&] { parse(chain(limits::max_nesting + 1)); }) == "AL037");
    CHECK(code_of([&] { parse(chain(50000)); }) == "AL037");
  }
}

TEST_CASE("a strategy of more than 32 words is AL037, however shallow",
          "[dsl][parse][limits]") {
  // mix(mix(a, b, r), mix(c, d, r), r): doubling stays shallow but grows wide.
  std::string wide = "entropy";
  int words = 1;
  while (words * 2 + 1 <= limits::max_strategy_words) {
    wide = "mix(" + wide + ", " + wide + ", 0.5)";
    words = words * 2 + 1;
  }
  CHECK(code_of([&] { parse("initial(random, 5) | query(" + wide + ", 5)"); }) == "none");
  const auto wider = "mix(" + wide + ", " + wide + ", 0.5)";
  CHECK_THROWS_WITH(parse("initial(random, 5) | query(" + wider + ", 5)"),
                    Catch::StartsWith("AL037: the strategy holds more than 32 words"));
  SECTION("the typed DSL refuses the same strategy when it is lowered") {
    constexpr auto m4 = mix(mix(entropy, margin, 0.5), mix(entropy, margin, 0.5), 0.5);  // 7 words
    constexpr auto m16 = mix(mix(m4, m4, 0.5), mix(m4, m4, 0.5), 0.5);                   // 31 words
    CHECK_NOTHROW(lower(initial(random, 5) | query(m16, 5)));
    CHECK_THROWS_WITH(lower(initial(random, 5) | query(mix(m16, entropy, 0.5), 5)),
                      Catch::StartsWith("AL037: the strategy holds more than 32 words"));
    CHECK(code_of([&] { parse(to_string(initial(random, 5) | query(mix(m16, entropy, 0.5), 5))); }) ==
          "AL037");
  }
}

TEST_CASE("a cycle inside a cycle is AL011 before its body is read",
          "[dsl][parse][limits][regression]") {
  const auto text = "initial(random, 50) | " + repeat("cycle(1, ", 100000) + "query(entropy, 1)" +
                    repeat(")", 100000);
  try {
    parse(text);
    FAIL("no error");
  } catch (const parse_error& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("AL011: cycle(...) cannot go inside cycle(n, body)"));
    CHECK(e.position == std::string("initial(random, 50) | cycle(1, ").size());
  }
  // Even when the inner body holds a mistake of its own: the outer one first.
  CHECK_THROWS_WITH(parse("initial(random, 5) | cycle(2, cycle(2, query(entrpy, 5)))"),
                    Catch::StartsWith("AL011"));
}

TEST_CASE("cycle(10000000, ...) is AL039 at once instead of a 16 GB plan",
          "[dsl][parse][limits][regression]") {
  std::string code;
  const auto ms = milliseconds([&] {
    code = code_of([] { parse("initial(random, 50) | cycle(10000000, query(entropy, 1))"); });
  });
  CHECK(code == "AL039");
  CHECK(ms < 100);
  CHECK_THROWS_WITH(parse("initial(random, 50) | cycle(10000000, query(entropy, 1))"),
                    "AL039: the plan would run 10000000 cycles, more than the 10000 allowed in all: "
                    "every cycle retrains the model, and the plan writes each one out; give fewer "
                    "cycles, e.g. cycle(6, query(entropy, 100))\n"
                    "  initial(random, 50) | cycle(10000000, query(entropy, 1))\n"
                    "                              ^");
}

TEST_CASE("cycle(2147483647, ...) is AL039, not std::bad_alloc", "[dsl][parse][limits][regression]") {
  CHECK_THROWS_WITH(parse("initial(random, 50) | cycle(2147483647, query(entropy, 1))"),
                    Catch::StartsWith("AL039: the plan would run 2147483647 cycles"));
  CHECK_THROWS_WITH(parse("initial(random, 50) | cycle(9223372036854775807, query(entropy, 1))"),
                    Catch::StartsWith("AL039: the plan would run 9223372036854775807 cycles"));
}

TEST_CASE("initial(random, 9223372036854775807) is AL038, not a negative label budget",
          "[dsl][parse][limits][regression]") {
  CHECK_THROWS_WITH(parse("initial(random, 9223372036854775807)"),
                    Catch::StartsWith("AL038: initial(random, 9223372036854775807) asks for more "
                                      "than 1000000000 samples"));
  CHECK_THROWS_WITH(parse("initial(random, 5) | cycle(2, query(margin, 9223372036854775807))"),
                    Catch::StartsWith("AL038: query(margin, 9223372036854775807)"));
  // One more digit does not fit in 64 bits at all.
  CHECK_THROWS_WITH(parse("initial(random, 9223372036854775808)"),
                    Catch::StartsWith("AL003: the number of samples does not fit in a 64-bit "
                                      "integer, found '9223372036854775808'"));
  CHECK_THROWS_WITH(parse("initial(random, -9223372036854775809)"), Catch::StartsWith("AL003"));
  CHECK_THROWS_WITH(parse("initial(random, -9223372036854775808)"),
                    Catch::StartsWith("AL004: initial(random, -9223372036854775808) labels no sample"));
}

TEST_CASE("train.lr(1e39) is AL014 naming the option, not a float overflow in the engine",
          "[dsl][parse][limits][regression]") {
  CHECK_THROWS_WITH(parse("initial(random, 5) | train.lr(1e39)"),
                    "AL014: train option .lr(...) must be at most 10\n"
                    "  initial(random, 5) | train.lr(1e39)\n"
                    "                             ^");
  CHECK_THROWS_WITH(train.lr(1e39), "AL014: train option .lr(...) must be at most 10");
}

TEST_CASE("numbers beyond a double, nan and inf in the text are AL003",
          "[dsl][parse][limits]") {
  CHECK_THROWS_WITH(parse("initial(random, 5) | train.lr(1e400)"),
                    Catch::StartsWith("AL003: lr is beyond the range of a double, found '1e400'"));
  for (const auto* value : {"nan", "-nan", "inf", "-inf", "infinity", "NaN", "INF"}) {
    INFO(value);
    CHECK_THROWS_WITH(parse(fmt::format("initial(random, 5) | train.lr({})", value)),
                      Catch::StartsWith(fmt::format("AL003: lr must be a finite number, found '{}'", value)));
    CHECK_THROWS_WITH(
        parse(fmt::format("initial(random, 5) | query(mix(entropy, random, {}), 5)", value)),
        Catch::StartsWith("AL003: mix's fraction r must be a finite number"));
  }
}

TEST_CASE("NaN and infinity are refused by every real option of the typed DSL",
          "[dsl][limits]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const double x : {nan, inf, -inf}) {
    INFO(x);
    CHECK(code_of([&] { train.lr(x); }) == "AL014");
    CHECK(code_of([&] { train.weight_decay(x); }) == "AL014");
    CHECK(code_of([&] { train.momentum(x); }) == "AL014");
    CHECK(code_of([&] { train.cod(x); }) == "AL014");
    CHECK(code_of([&] { pretrain(simsiam).lr(x); }) == "AL014");
    CHECK(code_of([&] { pretrain(rotation).weight_decay(x); }) == "AL014");
    CHECK(code_of([&] { prefilter(entropy, x); }) == "AL019");
    CHECK(code_of([&] { mix(entropy, random, x); }) == "AL022");
    CHECK(code_of([&] { class_balanced(entropy, x); }) == "AL033");
  }
}

/// One bound: the largest value allowed and the smallest refused, written in
/// both front ends.
struct bound {
  std::string name;
  std::string text_at_limit, text_past_limit;
  std::string code;
  std::function<plan()> typed_at_limit;
  std::function<void()> typed_past_limit;
};

std::vector<bound> every_bound() {
  // Run-time values, so that the typed DSL throws instead of failing to compile.
  static std::int64_t samples = limits::max_samples;
  static std::int64_t cycles = limits::max_cycles;
  static std::int64_t epochs = limits::max_epochs;
  static std::int64_t steps = limits::max_min_steps;
  static std::int64_t batch = limits::max_batch_size;
  static std::int64_t width = limits::max_width;
  static std::int64_t passes = limits::max_passes;
  static double rate = limits::max_learning_rate;
  static double decay = limits::max_weight_decay;
  static double weight = limits::max_cod_weight;
  static double factor = limits::max_prefilter_factor;
  static double lambda = limits::max_balance_weight;
  const auto start = initial(random, 5);
  return {
      {"initial size", "initial(random, 1000000000)", "initial(random, 1000000001)", "AL038",
       [] { return lower(initial(random, samples)); }, [] { initial(random, samples + 1); }},
      {"query size", "initial(random, 5) | query(entropy, 1000000000)",
       "initial(random, 5) | query(entropy, 1000000001)", "AL038",
       [=] { return lower(start | query(entropy, samples)); }, [] { query(entropy, samples + 1); }},
      {"cycles", "initial(random, 5) | cycle(10000, query(entropy, 1))",
       "initial(random, 5) | cycle(10001, query(entropy, 1))", "AL039",
       [=] { return lower(start | cycle(cycles, query(entropy, 1))); },
       [] { cycle(cycles + 1, query(entropy, 1)); }},
      {"cycles in all", "initial(random, 5) | cycle(4000, query(entropy, 1)) | cycle(6000, query(margin, 1))",
       "initial(random, 5) | cycle(4000, query(entropy, 1)) | cycle(6001, query(margin, 1))", "AL039",
       [=] { return lower(start | cycle(4000, query(entropy, 1)) | cycle(cycles - 4000, query(margin, 1))); },
       [=] { lower(start | cycle(4000, query(entropy, 1)) | cycle(cycles - 3999, query(margin, 1))); }},
      {"queries outside a cycle", "initial(random, 5) | cycle(9999, query(entropy, 1)) | query(margin, 1)",
       "initial(random, 5) | cycle(9999, query(entropy, 1)) | query(margin, 1) | query(margin, 1)",
       "AL039",
       [=] { return lower(start | cycle(cycles - 1, query(entropy, 1)) | query(margin, 1)); },
       [=] {
         lower(start | cycle(cycles - 1, query(entropy, 1)) | query(margin, 1) | query(margin, 1));
       }},
      {"train epochs", "initial(random, 5) | train.epochs(100000)",
       "initial(random, 5) | train.epochs(100001)", "AL014",
       [=] { return lower(start | train.epochs(epochs)); }, [] { train.epochs(epochs + 1); }},
      {"train min_steps", "initial(random, 5) | train.min_steps(100000000)",
       "initial(random, 5) | train.min_steps(100000001)", "AL014",
       [=] { return lower(start | train.min_steps(steps)); }, [] { train.min_steps(steps + 1); }},
      {"train batch_size", "initial(random, 5) | train.batch_size(1000000)",
       "initial(random, 5) | train.batch_size(1000001)", "AL014",
       [=] { return lower(start | train.batch_size(batch)); }, [] { train.batch_size(batch + 1); }},
      {"train lr", "initial(random, 5) | train.lr(10)", "initial(random, 5) | train.lr(10.000001)",
       "AL014", [=] { return lower(start | train.lr(rate)); },
       [] { train.lr(std::nextafter(rate, 11.0)); }},
      {"train weight_decay", "initial(random, 5) | train.weight_decay(10)",
       "initial(random, 5) | train.weight_decay(10.5)", "AL014",
       [=] { return lower(start | train.weight_decay(decay)); },
       [] { train.weight_decay(std::nextafter(decay, 11.0)); }},
      {"train cod", "initial(random, 5) | train.cod(1000)", "initial(random, 5) | train.cod(1000.5)",
       "AL014", [=] { return lower(start | train.cod(weight)); },
       [] { train.cod(std::nextafter(weight, 2000.0)); }},
      {"pretrain epochs", "pretrain(simsiam).epochs(100000) | initial(random, 5)",
       "pretrain(simsiam).epochs(100001) | initial(random, 5)", "AL014",
       [=] { return lower(pretrain(simsiam).epochs(epochs) | start); },
       [] { pretrain(simsiam).epochs(epochs + 1); }},
      {"pretrain batch_size", "pretrain(rotation).batch_size(1000000) | initial(random, 5)",
       "pretrain(rotation).batch_size(1000001) | initial(random, 5)", "AL014",
       [=] { return lower(pretrain(rotation).batch_size(batch) | start); },
       [] { pretrain(rotation).batch_size(batch + 1); }},
      {"pretrain lr", "pretrain(simsiam).lr(10) | initial(random, 5)",
       "pretrain(simsiam).lr(11) | initial(random, 5)", "AL014",
       [=] { return lower(pretrain(simsiam).lr(rate) | start); },
       [] { pretrain(simsiam).lr(std::nextafter(rate, 11.0)); }},
      {"pretrain weight_decay", "pretrain(simsiam).weight_decay(10) | initial(random, 5)",
       "pretrain(simsiam).weight_decay(1e10) | initial(random, 5)", "AL014",
       [=] { return lower(pretrain(simsiam).weight_decay(decay) | start); },
       [] { pretrain(simsiam).weight_decay(std::nextafter(decay, 11.0)); }},
      {"pretrain projector", "pretrain(simsiam).projector(65536) | initial(random, 5)",
       "pretrain(simsiam).projector(65537) | initial(random, 5)", "AL014",
       [=] { return lower(pretrain(simsiam).projector(width) | start); },
       [] { pretrain(simsiam).projector(width + 1); }},
      {"pretrain predictor", "pretrain(simsiam).predictor(65536) | initial(random, 5)",
       "pretrain(simsiam).predictor(65537) | initial(random, 5)", "AL014",
       [=] { return lower(pretrain(simsiam).predictor(width) | start); },
       [] { pretrain(simsiam).predictor(width + 1); }},
      {"bald passes", "initial(random, 5) | query(bald.passes(1000), 5)",
       "initial(random, 5) | query(bald.passes(1001), 5)", "AL018",
       [=] { return lower(start | query(bald.passes(passes), 5)); }, [] { (void)bald.passes(passes + 1); }},
      {"prefilter factor", "initial(random, 5) | query(prefilter(entropy, 1000) >> coreset, 5)",
       "initial(random, 5) | query(prefilter(entropy, 1000.001) >> coreset, 5)", "AL019",
       [=] { return lower(start | query(prefilter(entropy, factor) >> coreset, 5)); },
       [] { prefilter(entropy, std::nextafter(factor, 2000.0)); }},
      {"class_balanced lambda", "initial(random, 5) | query(class_balanced(entropy, 1000), 5)",
       "initial(random, 5) | query(class_balanced(entropy, 1e300), 5)", "AL033",
       [=] { return lower(start | query(class_balanced(entropy, lambda), 5)); },
       [] { class_balanced(entropy, std::nextafter(lambda, 2000.0)); }},
  };
}

TEST_CASE("every bound holds at its limit and refuses one step past it, in both front ends",
          "[dsl][parse][limits]") {
  for (const auto& b : every_bound()) {
    INFO(b.name);
    INFO(b.text_at_limit);
    CHECK(parse(b.text_at_limit) == b.typed_at_limit());
    CHECK(code_of([&] { parse(b.text_past_limit); }) == b.code);
    CHECK(code_of(b.typed_past_limit) == b.code);
  }
}

TEST_CASE("the typed DSL refuses counts past the limits where it builds a stage",
          "[dsl][limits]") {
  std::int64_t huge = std::numeric_limits<std::int64_t>::max();
  CHECK_THROWS_WITH(initial(random, huge),
                    Catch::StartsWith("AL038: initial(random, 9223372036854775807) asks for more "
                                      "than 1000000000 samples"));
  CHECK_THROWS_WITH(query(entropy, huge), Catch::StartsWith("AL038: query(entropy, 9223372036854775807)"));
  CHECK_THROWS_WITH(cycle(huge, query(entropy, 1)),
                    Catch::StartsWith("AL039: the plan would run 9223372036854775807 cycles"));
  CHECK_THROWS_WITH(bald.passes(huge), Catch::StartsWith("AL018: bald.passes(9223372036854775807) "
                                                         "must be at most 1000"));
  SECTION("two cycles within the limit each, beyond it together, name the total") {
    std::int64_t six_thousand = 6000;
    CHECK_THROWS_WITH(lower(initial(random, 5) | cycle(six_thousand, query(entropy, 1)) |
                            cycle(six_thousand, query(margin, 1))),
                      Catch::StartsWith("AL039: the plan would run 12000 cycles"));
  }
}

TEST_CASE("the label budget saturates instead of wrapping", "[dsl][plan][limits]") {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  STATIC_REQUIRE(detail::saturating_add(max, 1) == max);
  STATIC_REQUIRE(detail::saturating_add(min, -1) == min);
  STATIC_REQUIRE(detail::saturating_add(max - 1, 1) == max);
  STATIC_REQUIRE(detail::saturating_add(-5, 3) == -2);
  // A plan is plain data: one built by hand need not respect the limits.
  plan p;
  p.steps.emplace_back(label_initial_step{to_spec(random), max});
  p.steps.emplace_back(label_step{1, max});
  CHECK(p.label_budget() == max);
  CHECK_THAT(explain(p), Catch::Contains("9223372036854775807 labels in all"));
  // The largest budget the DSL allows is exact.
  const auto largest = parse("initial(random, 1000000000) | cycle(10000, query(entropy, 1000000000))");
  CHECK(largest.label_budget() == 1'000'000'000LL * 10'001);
}

TEST_CASE("the largest plan the limits allow is built quickly", "[dsl][parse][limits]") {
  // 10 000 cycles of a 31-word strategy: every query holds a copy of it.
  std::string strategy = "entropy";
  for (int words = 1; words * 2 + 1 <= limits::max_strategy_words; words = words * 2 + 1) {
    strategy = "mix(" + strategy + ", " + strategy + ", 0.5)";
  }
  plan p;
  const auto ms = milliseconds([&] {
    p = parse("initial(random, 5) | cycle(10000, query(" + strategy + ", 1))");
  });
  CHECK(p.cycles() == limits::max_cycles);
  CHECK(ms < 1000);
}

TEST_CASE("prefilter(a, m) >> prefilter(b, m) is read as to_string prints it, never half a strategy",
          "[dsl][parse][regression]") {
  // The typed DSL groups the chain to the right; to_string prints it flat.
  const auto typed = initial(random, 100) | query(prefilter(entropy, 2) >> (prefilter(margin, 3) >> coreset), 10);
  const auto text = to_string(typed);
  CHECK(text == "initial(random, 100) | query(prefilter(entropy, 2) >> prefilter(margin, 3) >> coreset, 10)");
  CHECK(parse(text) == lower(typed));
  // Without the set selector at the end, the second prefilter is half a
  // strategy; it used to become the first one's chooser, with the wrong scorer.
  CHECK_THROWS_WITH(parse("initial(random, 100) | query(prefilter(entropy, 2) >> prefilter(margin, 3), 10)"),
                    Catch::StartsWith("AL002: prefilter(s, m) needs a set selector after it"));
}

}  // namespace limits_test
