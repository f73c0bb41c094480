#pragma once
// Every mistake alpipe names, numbered as in docs/errors.md.
//
// One rule set serves both front ends. A rule is a constexpr check; when it
// fails it calls the reporter of its error, a function that is deliberately
// *not* constexpr and throws `al::plan_error`:
//   * in a constant expression (`constexpr auto p = cycle(0, ...)`) the call
//     cannot be evaluated, so the compiler stops and names the reporter —
//     `call to non-'constexpr' function 'al::errors::AL006_cycle_count_not_positive(...)'`;
//   * at run time (a non-constexpr pipeline, `al::parse`) it throws with the
//     full message, which the parser prefixes with a caret under the mistake.
// Type-level mistakes (a cycle body without a query) are static_asserts whose
// messages start with the same codes.

#include <al/limits.hpp>
#include <al/plan_error.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string_view>

// Messages shown both by a static_assert in the typed DSL and by the parser
// (with a caret): a static_assert takes only a string literal, so each is a
// macro, written once here.
#define ALPIPE_AL011_RULE                                                   \
  "cycle(n, body): the body may hold only query(...) and train stages, " \
  "e.g. cycle(6, query(entropy, 100) | train.epochs(40))"
#define ALPIPE_AL011_MESSAGE "AL011: " ALPIPE_AL011_RULE
#define ALPIPE_AL012_RULE "cycle(n, body): the body needs exactly one query(...)"
#define ALPIPE_AL012_EXAMPLE "e.g. cycle(6, query(entropy, 100))"
#define ALPIPE_AL012_MESSAGE "AL012: " ALPIPE_AL012_RULE ", " ALPIPE_AL012_EXAMPLE
#define ALPIPE_AL020_MESSAGE \
  "AL020: prefilter(s, m) >> x: x must be a set selector such as coreset or " \
  "badge; to rank by one score, query(s, n) alone does it"
#define ALPIPE_AL021_MESSAGE \
  "AL021: prefilter(s, m) ranks by a per-sample score; a set selector such " \
  "as coreset cannot rank; try prefilter(entropy, 10) >> coreset"
#define ALPIPE_AL023_MESSAGE \
  "AL023: initial(s, n) takes a per-sample scorer such as random, or typiclust " \
  "or probcover; other set selectors need a labelled set to start from, so use " \
  "them in query(...)"
#define ALPIPE_AL028_PRETEXT_MESSAGE \
  "AL028: pretrain(p) takes a pretext task, simsiam or rotation; strategies " \
  "such as entropy go into query(...) or initial(...)"
#define ALPIPE_AL030_MESSAGE \
  "AL030: pt4al(s) ranks the round's batch by a per-sample score; a set " \
  "selector such as coreset cannot rank; try pt4al(least_confidence)"
#define ALPIPE_AL031_MESSAGE \
  "AL031: pt4al(...) is the whole strategy of initial(...) or query(...): " \
  "its batches are the rounds of the run, so prefilter, mix and pt4al " \
  "cannot nest it; e.g. query(pt4al(least_confidence), 100)"
#define ALPIPE_AL032_BALANCED_MESSAGE \
  "AL032: balanced(s) fills each class's quota with its top samples by a " \
  "per-sample score; a set selector such as coreset cannot rank; try " \
  "balanced(entropy)"
#define ALPIPE_AL032_CLASS_BALANCED_MESSAGE \
  "AL032: class_balanced(s, lambda) weighs a per-sample uncertainty; a set " \
  "selector such as coreset gives none; try class_balanced(entropy, 0.6)"

namespace al::errors {

[[noreturn]] inline void fail(std::string_view code, std::string_view message) {
  throw plan_error(fmt::format("{}: {}", code, message));
}

// Counts -----------------------------------------------------------------

[[noreturn]] inline void AL004_initial_size_not_positive(std::string_view selector,
                                                         std::int64_t count) {
  fail("AL004", fmt::format("initial({}, {}) labels no sample; give a positive size, "
                            "e.g. initial({}, 100)",
                            selector, count, selector));
}

[[noreturn]] inline void AL005_query_size_not_positive(std::string_view selector,
                                                       std::int64_t count) {
  fail("AL005", fmt::format("query({}, {}) asks for no sample; give a positive size, "
                            "e.g. query({}, 100)",
                            selector, count, selector));
}

[[noreturn]] inline void AL006_cycle_count_not_positive(std::int64_t count) {
  fail("AL006", fmt::format("cycle({}, ...) repeats nothing; give a positive number of "
                            "cycles, e.g. cycle(6, query(entropy, 100))",
                            count));
}

/// More samples than any pool holds: a typo, or a generated number.
[[noreturn]] inline void AL038_sample_count_too_large(std::string_view stage,
                                                      std::string_view selector,
                                                      std::int64_t count) {
  fail("AL038", fmt::format("{}({}, {}) asks for more than {} samples, the most one {}(...) may "
                            "label; no pool holds that many, so the size is surely a typo; "
                            "e.g. {}({}, 100)",
                            stage, selector, count, limits::max_samples, stage, stage, selector));
}

/// `cycles`: the plan's cycles in all, as far as they are known when the
/// count is checked (a single cycle(n, ...) alone already has n).
[[noreturn]] inline void AL039_too_many_cycles(std::int64_t cycles) {
  fail("AL039", fmt::format("the plan would run {} cycles, more than the {} allowed in all: every "
                            "cycle retrains the model, and the plan writes each one out; give "
                            "fewer cycles, e.g. cycle(6, query(entropy, 100))",
                            cycles, limits::max_cycles));
}

/// A strategy with combinators nested more than limits::max_nesting deep;
/// `word` is the combinator that goes past the limit.
[[noreturn]] inline void AL037_strategy_nested_too_deeply(std::string_view word) {
  fail("AL037", fmt::format("{}(...) is nested deeper than {} levels of combinators, far more "
                            "than any strategy needs; write it flatter, e.g. "
                            "mix(prefilter(entropy, 10) >> coreset, random, 0.5)",
                            word, limits::max_nesting));
}

/// A strategy of more than limits::max_strategy_words words.
[[noreturn]] inline void AL037_strategy_too_large() {
  fail("AL037", fmt::format("the strategy holds more than {} words, combinators included, far "
                            "more than any strategy needs; write a smaller one, e.g. "
                            "mix(prefilter(entropy, 10) >> coreset, random, 0.5)",
                            limits::max_strategy_words));
}

// Stage order ----------------------------------------------------------------

[[noreturn]] inline void AL007_two_initial_stages() {
  fail("AL007", "the pipeline has two initial(...) stages; keep one: the initial set is "
                "labelled once, before the first cycle");
}

[[noreturn]] inline void AL008_initial_after_query() {
  fail("AL008", "initial(...) comes after a query; move it to the front: "
                "initial(random, 100) | cycle(6, query(entropy, 100))");
}

[[noreturn]] inline void AL009_query_before_initial(std::string_view selector, std::int64_t count) {
  fail("AL009", fmt::format("query({}, {}) comes before any labelled data; start the pipeline "
                            "with an initial set: initial(random, 100) | ...",
                            selector, count));
}

[[noreturn]] inline void AL010_no_initial_stage() {
  fail("AL010", "the pipeline has no initial(...) stage; every run starts from a labelled "
                "set: initial(random, 100) | cycle(6, query(entropy, 100))");
}

// Cycle bodies (also static_asserts in the typed DSL) ------------------------

[[noreturn]] inline void AL011_stage_not_allowed_in_cycle(std::string_view stage) {
  fail("AL011", fmt::format("{} cannot go inside " ALPIPE_AL011_RULE "; put {} before the cycle",
                            stage, stage));
}

[[noreturn]] inline void AL012_cycle_body_query_count(std::int64_t queries) {
  fail("AL012", fmt::format(ALPIPE_AL012_RULE ", found {}; " ALPIPE_AL012_EXAMPLE, queries));
}

// Options --------------------------------------------------------------------

// `stage` is the stage the option belongs to: train or pretrain.

[[noreturn]] inline void AL013_option_given_twice(std::string_view stage, std::string_view option) {
  fail("AL013", fmt::format("{} option .{}(...) is given twice; keep one", stage, option));
}

[[noreturn]] inline void AL014_option_out_of_range(std::string_view stage, std::string_view option,
                                                   std::string_view requirement) {
  fail("AL014", fmt::format("{} option .{}(...) must be {}", stage, option, requirement));
}

/// The upper bound of an option (al/limits.hpp); the lower ones say their
/// requirement through AL014_option_out_of_range.
[[noreturn]] inline void AL014_option_too_large(std::string_view stage, std::string_view option,
                                                std::int64_t limit) {
  fail("AL014", fmt::format("{} option .{}(...) must be at most {}", stage, option, limit));
}
[[noreturn]] inline void AL014_option_too_large(std::string_view stage, std::string_view option,
                                                double limit) {
  fail("AL014", fmt::format("{} option .{}(...) must be at most {:g}", stage, option, limit));
}

// Words in the wrong place ------------------------------------------------------
// AL015 (a strategy where a stage is expected) and AL016 (a stage where a
// strategy is expected) have no reporter: no value check can find them. They
// are static_asserts in the typed DSL (pipeline.hpp, stage/*.hpp) and parse
// errors in the text DSL (parse.hpp), each with the message for its context.

// Text front end ---------------------------------------------------------------
// AL001 unknown word, AL002 syntax, AL003 bad number, AL037 nested too
// deeply: see al/parse.hpp.

// Runs -------------------------------------------------------------------------

[[noreturn]] inline void AL017_budget_exceeds_pool(std::int64_t budget, std::int64_t pool) {
  fail("AL017", fmt::format("the plan labels {} samples in all but the pool holds {}; make the "
                            "initial set or the queries smaller, fewer cycles, or the pool "
                            "larger (config.data.pool_size)",
                            budget, pool));
}

// Pretraining (the order rules are also static_asserts in the typed DSL) -------

[[noreturn]] inline void AL024_pretrain_not_first() {
  fail("AL024", "pretraining happens once, before any label: put pretrain(...) first, e.g. "
                "pretrain(simsiam) | initial(random, 100) | cycle(6, query(entropy, 100))");
}

[[noreturn]] inline void AL025_two_pretrain_stages() {
  fail("AL025", "the pipeline has two pretrain(...) stages; keep one: the encoder is pretrained "
                "once, before any label");
}

/// `word` needs `what` (e.g. "the pretext losses"), which only an earlier
/// `provider` stage (e.g. "pretrain(rotation)") gives; see al/rules.hpp.
[[noreturn]] inline void AL026_need_not_provided(std::string_view word, std::string_view what,
                                                 std::string_view provider) {
  fail("AL026", fmt::format("{} needs {} of an earlier {}; start the pipeline with {} | "
                            "initial(...)",
                            word, what, provider, provider));
}

[[noreturn]] inline void AL027_linear_probe_without_pretrain() {
  fail("AL027", "train.linear_probe() trains only the head on a frozen encoder, and without a "
                "pretrain stage that encoder is random; start the pipeline with "
                "pretrain(simsiam) | ... or drop .linear_probe()");
}

[[noreturn]] inline void AL027_probe_first_without_pretrain() {
  fail("AL027", "train.probe_first() fits the head on the frozen encoder before fine-tuning, and "
                "without a pretrain stage that encoder is random; start the pipeline with "
                "pretrain(simsiam) | ... or drop .probe_first()");
}

// Discrepancy strategies ---------------------------------------------------------

/// `word` compares with the previous cycle's model, which the initial set,
/// chosen before any training, cannot have.
[[noreturn]] inline void AL034_previous_model_in_initial(std::string_view word) {
  fail("AL034", fmt::format("initial(...) cannot use {}: it compares the model with the previous "
                            "cycle's, and before the initial set there is no model at all; start "
                            "with initial(random, 100) and use {} in query(...)",
                            word, word));
}

/// `what` trains the encoder, which a linear probe keeps frozen.
[[noreturn]] inline void AL035_linear_probe_with(std::string_view what) {
  fail("AL035", fmt::format("train.linear_probe() keeps the encoder frozen and trains the head on "
                            "embeddings computed once, but {} trains every step on a fresh unlabelled "
                            "batch as well; drop .linear_probe() (fine-tune) or use another "
                            "strategy",
                            what));
}

// Pretrained encoders, continued ----------------------------------------------

/// Two ways to use a pretrained encoder, asked for in one train stage.
[[noreturn]] inline void AL036_linear_probe_and_probe_first() {
  fail("AL036", "train.linear_probe() keeps the encoder frozen for good, while "
                "train.probe_first() fits the head on it and then fine-tunes the whole network; "
                "keep one of them");
}

}  // namespace al::errors
