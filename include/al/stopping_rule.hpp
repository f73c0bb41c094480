#pragma once
// Stopping rules: when a person paying per label can stop asking.
//
//   cycle(until(stable_predictions, 30), query(margin, 20))
//
// runs at most 30 cycles and ends the run after the first cycle at which the
// rule fires. Every run records each rule's statistic per cycle, whether it
// stops or not (cycles.jsonl: accuracy, and "agreement", the kappa between
// successive models on a fixed stop set), so a finished comparison also
// reports where each rule would have stopped every strategy, the labels it
// would have saved and the accuracy that would have cost (report.md).
//
// A rule is a word like the strategies: a typed value for the C++ DSL
// (al/stopping/<rule>.hpp), and an entry in the table below for the text
// DSL, the engine and the report, which reach it by name only. Plain data,
// no LibTorch.

#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/plan.hpp>

#include <fmt/format.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace al {

namespace errors {
[[noreturn]] inline void AL042_until_not_last() {
  fail("AL042", "until(rule, max) ends the run when its rule fires, so only the pipeline's last "
                "stage may stop early: move the until(...) cycle to the end, e.g. "
                "initial(typiclust, 10) | cycle(5, query(typiclust, 10)) | "
                "cycle(until(stable_predictions, 30), query(margin, 20))");
}
/// A rule's window out of range: `rule.cycles(k)`.
[[noreturn]] inline void AL041_stopping_window(std::string_view rule, std::int64_t cycles) {
  fail("AL041", fmt::format("{}.cycles({}): the rule looks back over 1 to {} cycles, e.g. "
                            ".cycles(3)",
                            rule, cycles, limits::max_cycles));
}
}  // namespace errors

/// The window every rule takes, `.cycles(k)`: 1 to limits::max_cycles (AL041).
constexpr void check_stopping_window(std::string_view word, std::int64_t cycles) {
  if (cycles < 1 || cycles > limits::max_cycles) errors::AL041_stopping_window(word, cycles);
}

/// Pool samples in a run's stop set: drawn once from the run's seed, the
/// samples on which successive models' predictions are compared (the
/// paper's 2000), whether they get labelled or not; the whole pool when it
/// is smaller.
inline constexpr std::int64_t stop_set_size = 2000;

/// What a stopping rule reads of one finished cycle.
struct stopping_evidence {
  int cycle = 0;
  std::int64_t labelled = 0;
  double accuracy = 0;  // on the run's test split
  /// Cohen's kappa between this cycle's model and the previous cycle's, on
  /// the run's stop set; absent in cycle 0 (and in results written before
  /// runs recorded it).
  std::optional<double> agreement;
};

/// An option after a dot: `stable_predictions.kappa(0.95)`.
struct stopping_option {
  std::string name;
  bool whole_number = false;  // `.cycles(3)`; otherwise a real number
  /// The rule with the option set; throws a plan_error (AL041) for a value
  /// out of its range.
  std::function<stopping_rule(stopping_rule, double)> apply;
};

/// Everything the text front end, the engine and the report know of a rule.
struct stopping_rule_info {
  stopping_rule defaults;  // the rule as its bare word means it
  std::string usage;       // `--help`: "stable_predictions[.kappa(x)][.cycles(k)]"
  std::vector<stopping_option> options;
  /// Whether the rule stops the run after the last of `so_far`, the
  /// cycles finished so far, in order.
  std::function<bool(const stopping_rule&, std::span<const stopping_evidence> so_far)> fires;
  [[nodiscard]] const std::string& name() const { return defaults.name; }
};

namespace detail {
struct stopping_rule_table {
  std::mutex mutex;
  std::map<std::string, stopping_rule_info, std::less<>> rules;
};
/// The one table, holding every built-in rule from the start (defined in
/// the DSL library, src/dsl/word_table.cpp).
stopping_rule_table& stopping_rules();
}  // namespace detail

/// Makes a rule known to `al::parse`, the engine and the report, or
/// replaces the rule of that name.
void register_stopping_rule(stopping_rule_info info);
/// A copy of the rule registered as `name`, or nullopt.
std::optional<stopping_rule_info> find_stopping_rule(std::string_view name);
/// Every rule's name, sorted.
std::vector<std::string> stopping_rule_words();

/// Whether `rule` ends the run after the last cycle of `so_far`. A rule no
/// table entry knows (a plan written by a program with a rule of its own)
/// throws std::runtime_error naming it.
bool stops_after(const stopping_rule& rule, std::span<const stopping_evidence> so_far);

/// The cycle after which the plan's stop checks end a run whose finished
/// cycles are `cycles` (in order, from cycle 0), or nullopt when none fires.
std::optional<int> stopping_cycle(const plan& p, std::span<const stopping_evidence> cycles);

/// The cycle after which `rule` would have stopped a run with these cycles,
/// checked after every cycle from `first_cycle` on, or nullopt.
std::optional<int> would_stop_at(const stopping_rule& rule,
                                 std::span<const stopping_evidence> cycles, int first_cycle = 1);

/// A typed stopping rule: a value with the word's name, convertible to plan
/// data, printable as the text DSL spells it.
template <class R>
concept stopping_word = requires(const R& r) {
  { R::name } -> std::convertible_to<std::string_view>;
  { r.rule() } -> std::same_as<stopping_rule>;
  { r.to_text() } -> std::same_as<std::string>;
};

/// `until(rule, max)`, the count of a cycle stage that may stop early.
template <stopping_word Rule>
struct until_count {
  Rule rule;
  std::int64_t max = 0;
  [[nodiscard]] std::string to_text() const { return fmt::format("until({}, {})", rule.to_text(), max); }
};

/// `until(rule, max)` — at most `max` cycles, fewer when `rule` fires.
///
/// Example: `cycle(until(stable_predictions, 30), query(margin, 20))`
struct until_fn {
  template <stopping_word Rule>
  constexpr until_count<Rule> operator()(const Rule& rule, std::int64_t max) const {
    if (max <= 0) errors::AL006_cycle_count_not_positive(max);
    if (max > limits::max_cycles) errors::AL039_too_many_cycles(max);
    return {rule, max};
  }
};
inline constexpr until_fn until{};

namespace detail {
/// The text of a rule with a threshold option and `.cycles(k)`, each written
/// only where it differs from the word's default; the text DSL reads it back.
template <class Word>
std::string windowed_rule_text(const Word& word, std::string_view threshold_option) {
  std::string out(Word::name);
  if (word.threshold != Word{}.threshold) out += fmt::format(".{}({:g})", threshold_option, word.threshold);
  if (word.window != Word{}.window) out += fmt::format(".cycles({})", word.window);
  return out;
}

/// The table entry of such a rule: its defaults, its usage and its two
/// options, each checked by the typed word's own setter.
template <class Word>
stopping_rule_info windowed_rule_entry(
    std::string_view threshold_option, Word (Word::*set_threshold)(double) const,
    bool (*fires)(const stopping_rule&, std::span<const stopping_evidence>)) {
  stopping_rule_info info;
  info.defaults = Word{}.rule();
  info.usage = fmt::format("{}[.{}(x)][.cycles(k)]", Word::name, threshold_option);
  info.options = {
      {std::string(threshold_option), false,
       [set_threshold](stopping_rule r, double x) {
         return (Word{r.threshold, r.window}.*set_threshold)(x).rule();
       }},
      {"cycles", true, [](stopping_rule r, double k) {
         return Word{r.threshold, r.window}.cycles(static_cast<std::int64_t>(k)).rule();
       }}};
  info.fires = fires;
  return info;
}

inline bool builtin_stopping_rule(stopping_rule_info info) {
  register_stopping_rule(std::move(info));
  return true;
}
}  // namespace detail

}  // namespace al

/// A built-in rule's header ends with ALPIPE_BUILTIN_STOPPING_RULE(name,
/// entry); like ALPIPE_BUILTIN_WORD (al/word_table.hpp), it registers the
/// entry only in the DSL library's table file.
#ifdef ALPIPE_BUILTIN_WORDS
#define ALPIPE_BUILTIN_STOPPING_RULE(name, entry)                                     \
  namespace al::detail {                                                              \
  [[maybe_unused]] static const bool name##_stopping_registered = builtin_stopping_rule(entry); \
  }
#else
#define ALPIPE_BUILTIN_STOPPING_RULE(name, entry)
#endif
