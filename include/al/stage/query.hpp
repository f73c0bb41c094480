#pragma once
#include <al/detail/always_false.hpp>
#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/pipeline.hpp>
#include <al/pretext.hpp>
#include <al/strategy/selector.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace al {

/// One query: score the unlabelled pool, select `count` samples with
/// `selector`, ask the oracle for their labels; then the model is retrained.
template <selector S>
struct query_stage : stage_base {
  S selector;
  std::int64_t count = 0;

  static constexpr stage_kind kind = stage_kind::query;
  static constexpr needs_set needs = S::needs;
  static constexpr needs_set provides{};
  void lower_into(detail::plan_builder& b) const { b.add_query(to_spec(selector), count); }
  std::string to_text() const { return fmt::format("query({}, {})", al::to_text(selector), count); }
};

/// `query(selector, n)` — a query of n labels, usually inside `cycle(...)`.
///
/// Example: `cycle(6, query(margin, 100))`
struct query_fn {
  template <selector S>
  constexpr query_stage<S> operator()(S selector, std::int64_t count) const {
    if (count <= 0) errors::AL005_query_size_not_positive(S::name, count);
    if (count > limits::max_samples) errors::AL038_sample_count_too_large("query", S::name, count);
    return {{}, selector, count};
  }
  template <pretext_word S>
  constexpr auto operator()(S, std::int64_t) const {
    static_assert(detail::always_false<S>,
                  "AL028: simsiam and rotation are pretext tasks for pretrain(...), not "
                  "strategies; query(s, n) takes a strategy word such as entropy");
  }
  template <class S>
    requires(!selector<S> && !pretext_word<S>)
  constexpr auto operator()(S, std::int64_t) const {
    static_assert(detail::always_false<S>,
                  "AL016: query(s, n) takes a strategy word such as entropy, not a stage");
  }
};
inline constexpr query_fn query{};

}  // namespace al
