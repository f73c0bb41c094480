#pragma once
// Upper bounds on every number a pipeline holds, in one place.
//
// No sensible pipeline comes near them; they are there so that a typo, a
// generated text or a hostile one (`cycle(2147483647, ...)`,
// `initial(random, 9223372036854775807)`, `train.lr(1e39)`) is refused with
// a numbered error naming the option, instead of exhausting memory while the
// plan is written out, overflowing a sum, or failing deep in the engine.
// Both front ends check them through the same reporters (al/errors.hpp):
// the typed DSL's setters and constructors, the parser where it reads the
// number, and the plan builder once more for whatever reaches it.
//
// docs/dsl.md (Limits) lists them; docs/errors.md says which error each gives.

#include <cstdint>

namespace al::limits {

/// Combinators nested inside one another in one strategy (AL037): mix(mix(
/// ...)) at most this deep; those in the docs and tests nest 2 at most. The
/// parser recurses once per level; the bound keeps its stack, and every
/// later walk of a strategy, small whatever the input. (Cycles do not nest
/// at all, AL011.)
inline constexpr int max_nesting = 8;

/// Words in one strategy, combinators included (AL037): mix(entropy,
/// random, 0.5) has three, the largest in the docs and tests five. Every
/// query of the plan holds a copy of its strategy, so with max_cycles this
/// bounds the plan: the largest allowed, 10 000 cycles of a 32-word
/// strategy, is built in a few hundredths of a second.
inline constexpr int max_strategy_words = 32;

/// Samples one initial(...) or query(...) may label (AL038). Far above any
/// pool, and small enough that a plan's label budget cannot overflow.
inline constexpr std::int64_t max_samples = 1'000'000'000;

/// Cycles in a whole plan, a query outside any cycle counting as one
/// (AL039). The plan writes every cycle out, five steps each.
inline constexpr std::int64_t max_cycles = 10'000;

// Options (AL014 for train and pretrain, AL018 for bald).
inline constexpr std::int64_t max_epochs = 100'000;
inline constexpr std::int64_t max_min_steps = 100'000'000;
inline constexpr std::int64_t max_batch_size = 1'000'000;
/// SimSiam's projector and predictor widths.
inline constexpr std::int64_t max_width = 65'536;
/// bald.passes(T).
inline constexpr std::int64_t max_passes = 1'000;
/// Learning rates, train's and pretrain's, lie in (0, max_learning_rate].
inline constexpr double max_learning_rate = 10;
/// Weight decays lie in [0, max_weight_decay].
inline constexpr double max_weight_decay = 10;
/// train.cod(w): w in (0, max_cod_weight].
inline constexpr double max_cod_weight = 1'000;

// Combinator parameters.
/// prefilter(s, m): m in [1, max_prefilter_factor] (AL019).
inline constexpr double max_prefilter_factor = 1'000;
/// class_balanced(s, lambda): lambda in [0, max_balance_weight] (AL033).
inline constexpr double max_balance_weight = 1'000;

// With these bounds a plan's label budget is at most
// max_samples * (max_cycles + 1), about 1e13: far from int64's 9.2e18.
static_assert(max_samples <= INT64_MAX / (max_cycles + 1));

}  // namespace al::limits
