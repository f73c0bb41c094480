#pragma once
#include <al/detail/always_false.hpp>
#include <al/limits.hpp>
#include <al/errors.hpp>
#include <al/pipeline.hpp>
#include <al/rules.hpp>
#include <al/stage/query.hpp>
#include <al/stage/train.hpp>
#include <al/stopping_rule.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

namespace al {

namespace detail {
/// The cycle-body rule (al/rules.hpp) applied to a body's stage types.
template <class T>
struct cycle_body;
template <class... S>
struct cycle_body<pipeline<S...>> {
  static constexpr stage_kind kinds[] = {S::kind...};
  static constexpr cycle_body_check check = check_cycle_body(kinds);
};
}  // namespace detail

/// A cycle stage's count when it has no stopping rule.
struct every_cycle {
  static std::optional<stopping_rule> rule() { return std::nullopt; }
  static std::string to_text(std::int64_t count) { return std::to_string(count); }
};

/// The count of a cycle stage with a stopping rule: `until(rule, max)`.
template <stopping_word Rule>
struct until_cycle {
  Rule stop;
  std::optional<stopping_rule> rule() const { return stop.rule(); }
  std::string to_text(std::int64_t count) const {
    return fmt::format("until({}, {})", stop.to_text(), count);
  }
};

/// `count` repetitions of `body` (one query, optionally a train recipe); with
/// `until(rule, count)`, fewer when the rule fires.
template <class Body, class Count = every_cycle>
struct cycle_stage : stage_base {
  std::int64_t count = 0;
  Body body;
  Count stop;

  static constexpr stage_kind kind = stage_kind::cycle;
  static constexpr needs_set needs = Body::needs;
  static constexpr needs_set provides = Body::provides;
  void lower_into(detail::plan_builder& b) const {
    b.begin_cycle(count, stop.rule());  // AL006, AL039, AL042: before the body is written out count times
    for (std::int64_t i = 0; i < count; ++i) body.lower_into(b);
    b.end_cycle();
  }
  std::string to_text() const {
    return fmt::format("cycle({}, {})", stop.to_text(count), body.to_text());
  }
};

/// `cycle(n, body)` — n active learning cycles; each scores the pool,
/// queries, labels, retrains and evaluates.
///
/// Example: `initial(random, 100) | cycle(6, query(entropy, 100))`
struct cycle_fn {
  template <pipeable Body>
  constexpr auto operator()(std::int64_t count, const Body& body) const {
    using body_pipeline = decltype(detail::as_pipeline(body));
    constexpr auto check = detail::cycle_body<body_pipeline>::check;
    static_assert(check.violation != cycle_body_violation::stage_not_allowed,
                  ALPIPE_AL011_MESSAGE);
    static_assert(check.violation != cycle_body_violation::query_count, ALPIPE_AL012_MESSAGE);
    if (count <= 0) errors::AL006_cycle_count_not_positive(count);
    if (count > limits::max_cycles) errors::AL039_too_many_cycles(count);
    return cycle_stage<body_pipeline>{{}, count, detail::as_pipeline(body), {}};
  }
  /// `cycle(until(rule, max), body)`: at most max cycles, ending the run
  /// after the first at which `rule` fires (al/stopping_rule.hpp).
  template <stopping_word Rule, pipeable Body>
  constexpr auto operator()(const until_count<Rule>& until, const Body& body) const {
    using body_pipeline = decltype(detail::as_pipeline(body));
    constexpr auto check = detail::cycle_body<body_pipeline>::check;
    static_assert(check.violation != cycle_body_violation::stage_not_allowed,
                  ALPIPE_AL011_MESSAGE);
    static_assert(check.violation != cycle_body_violation::query_count, ALPIPE_AL012_MESSAGE);
    return cycle_stage<body_pipeline, until_cycle<Rule>>{
        {}, until.max, detail::as_pipeline(body), {until.rule}};
  }
  template <class Count, class Body>
    requires(!pipeable<Body>)
  constexpr auto operator()(const Count&, const Body&) const {
    static_assert(detail::always_false<Body>,
                  "AL015: cycle(n, body) repeats stages; a strategy is not a stage: wrap it, "
                  "cycle(6, query(entropy, 100))");
  }
};
inline constexpr cycle_fn cycle{};

}  // namespace al
