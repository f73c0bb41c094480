#pragma once
#include <al/detail/always_false.hpp>
#include <al/limits.hpp>
#include <al/pipeline.hpp>
#include <al/stage/query.hpp>
#include <al/stage/train.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

namespace al {

namespace detail {
template <class T>
struct is_query_stage : std::false_type {};
template <class S>
struct is_query_stage<query_stage<S>> : std::true_type {};

template <class T>
struct count_queries;
template <class... S>
struct count_queries<pipeline<S...>>
    : std::integral_constant<int, (0 + ... + int(is_query_stage<S>::value))> {};

template <class T>
struct only_cycle_body_stages;
template <class... S>
struct only_cycle_body_stages<pipeline<S...>>
    : std::bool_constant<((is_query_stage<S>::value || std::is_same_v<S, train_stage>) && ...)> {};
}  // namespace detail

/// `count` repetitions of `body` (one query, optionally a train recipe).
template <class Body>
struct cycle_stage : stage_base {
  std::int64_t count = 0;
  Body body;

  static constexpr stage_kind kind = stage_kind::cycle;
  static constexpr needs_set needs = Body::needs;
  static constexpr needs_set provides = Body::provides;
  void lower_into(detail::plan_builder& b) const {
    b.begin_cycle(count);  // AL006, AL039: before the body is written out count times
    for (std::int64_t i = 0; i < count; ++i) body.lower_into(b);
  }
  std::string to_text() const { return fmt::format("cycle({}, {})", count, body.to_text()); }
};

/// `cycle(n, body)` — n active learning cycles; each scores the pool,
/// queries, labels, retrains and evaluates.
///
/// Example: `initial(random, 100) | cycle(6, query(entropy, 100))`
struct cycle_fn {
  template <pipeable Body>
  constexpr auto operator()(std::int64_t count, const Body& body) const {
    using body_pipeline = decltype(detail::as_pipeline(body));
    static_assert(detail::only_cycle_body_stages<body_pipeline>::value,
                  "AL011: cycle(n, body): the body may hold only query(...) and train stages, "
                  "e.g. cycle(6, query(entropy, 100)) or cycle(6, query(entropy, 100) | train.epochs(40))");
    static_assert(detail::count_queries<body_pipeline>::value == 1,
                  "AL012: cycle(n, body): the body needs exactly one query(...), "
                  "e.g. cycle(6, query(entropy, 100))");
    if (count <= 0) errors::AL006_cycle_count_not_positive(count);
    if (count > limits::max_cycles) errors::AL039_too_many_cycles(count);
    return cycle_stage<body_pipeline>{{}, count, detail::as_pipeline(body)};
  }
  template <class Body>
    requires(!pipeable<Body>)
  constexpr auto operator()(std::int64_t, const Body&) const {
    static_assert(detail::always_false<Body>,
                  "AL015: cycle(n, body) repeats stages; a strategy is not a stage: wrap it, "
                  "cycle(6, query(entropy, 100))");
  }
};
inline constexpr cycle_fn cycle{};

}  // namespace al
