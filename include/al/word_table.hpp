#pragma once
// The strategy words the text front end knows, each described once: its
// name, what kind of strategy it is, a line for `--help`, and — for a
// combinator — the arguments it takes and how it becomes plan data. The
// parser, `alpipe words` and `alpipe --help` read this table; nothing else
// lists the words.
//
// Every built-in word's header adds its own entry (ALPIPE_BUILTIN_WORD,
// below), through the same register_word a user calls:
//
//   al::register_word(my_scorer);              // a word type: "my_scorer" parses
//   al::register_word(al::word_info{...});     // a combinator, with its arguments
//
// (A word's engine side is registered separately, see <al/engine/selection.hpp>
// and <al/engine/set_selection.hpp>; the typed DSL needs neither: a word is
// its type.)

#include <al/strategy/selector.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace al {

/// One argument of a combinator, as the text front end reads it.
struct word_argument {
  enum class kind {
    strategy,  // any strategy expression, e.g. mix's a and b
    scorer,    // a per-sample scorer, e.g. balanced's s
    number,    // a real number, e.g. mix's r
  };
  kind type = kind::strategy;
  /// How messages name it: "the {what} of mix", "mix's {what}".
  std::string what;
  /// For a scorer argument: the message when a set selector is given.
  std::string not_a_scorer;
  /// For a number: its rules; throws a plan_error (via al::errors) when broken.
  std::function<void(double)> check;

  static word_argument strategy(std::string what) { return {kind::strategy, std::move(what), {}, {}}; }
  static word_argument scorer(std::string what, std::string not_a_scorer) {
    return {kind::scorer, std::move(what), std::move(not_a_scorer), {}};
  }
  static word_argument number(std::string what, std::function<void(double)> check) {
    return {kind::number, std::move(what), {}, std::move(check)};
  }
};

/// An option written after a word and a dot, taking a whole number:
/// `bald.passes(50)`.
struct word_option {
  std::string name;
  /// The word's plan data with the option set; throws a plan_error (via
  /// al::errors) for a value its rules refuse.
  std::function<selector_spec(std::int64_t)> apply;
};

/// Everything the text front end and the command know about one word.
struct word_info {
  /// A plain word's plan data (its name, needs and explain line). For a
  /// combinator only `spec.name` and `spec.description` are used.
  selector_spec spec;
  /// What the word (or, for a combinator, the strategy it builds) is.
  selector_kind kind = selector_kind::scorer;
  /// How `--help` spells it: "entropy", "mix(a, b, r)".
  std::string usage;
  /// A combinator's arguments, in order; empty for a plain word.
  std::vector<word_argument> arguments;
  /// A combinator's plan data from its strategy arguments and its numbers,
  /// each in the order written (prefilter's chooser after `>>` comes last).
  std::function<selector_spec(std::vector<selector_spec>, std::vector<double>)> build;
  /// False for a word that must be a stage's whole strategy (pt4al): no
  /// combinator may hold it (AL031).
  bool nestable = true;
  /// prefilter(s, m) >> set: the word is written before `>>` and a set
  /// selector, which becomes its last strategy argument.
  bool takes_set_selector_after = false;
  /// Options after a dot, e.g. bald's passes.
  std::vector<word_option> options;
  /// A set selector that can choose the initial set (cold_start_selector).
  bool starts_cold = false;

  [[nodiscard]] bool is_combinator() const { return static_cast<bool>(build); }
  [[nodiscard]] const std::string& name() const { return spec.name; }
};

namespace detail {
struct word_table {
  std::mutex mutex;
  std::map<std::string, word_info, std::less<>> words;
};
/// The one table, holding every built-in word from the start (defined in
/// the DSL library, src/dsl/word_table.cpp).
word_table& words();

template <class Keep>
std::vector<std::string> word_names(Keep&& keep) {
  auto& table = words();
  std::lock_guard lock(table.mutex);
  std::vector<std::string> names;
  for (const auto& [name, info] : table.words) {
    if (keep(info)) names.push_back(name);
  }
  return names;
}
}  // namespace detail

/// Makes a word known to `al::parse` and the command, or replaces the word
/// of that name.
inline void register_word(word_info info) {
  auto& table = detail::words();
  std::lock_guard lock(table.mutex);
  auto name = info.name();
  table.words.insert_or_assign(std::move(name), std::move(info));
}

/// The entry of a word type: its plan data, its kind, its name as usage.
template <selector S>
word_info describe(const S& word) {
  word_info info;
  info.spec = to_spec(word);
  info.kind = S::kind;
  info.usage = std::string(S::name);
  info.starts_cold = cold_start_selector<S>;
  return info;
}

/// Makes a user-defined word type known to `al::parse` and the command.
template <selector S>
void register_word(const S& word) {
  register_word(describe(word));
}

/// A copy of the word registered as `name`, or nullopt. A copy, taken under
/// the table's lock: another thread may register a word meanwhile.
inline std::optional<word_info> find_word(std::string_view name) {
  auto& table = detail::words();
  std::lock_guard lock(table.mutex);
  const auto it = table.words.find(name);
  if (it == table.words.end()) return std::nullopt;
  return it->second;
}

/// Every strategy word that is not a combinator, sorted.
inline std::vector<std::string> strategy_words() {
  return detail::word_names([](const word_info& w) { return !w.is_combinator(); });
}

/// The combinators: strategies built from other strategies, sorted.
inline std::vector<std::string> combinator_words() {
  return detail::word_names([](const word_info& w) { return w.is_combinator(); });
}

namespace detail {
template <class Word>
bool builtin_word(const Word& word) {
  register_word(word);
  return true;
}
}  // namespace detail

}  // namespace al

/// A built-in word's header ends with `ALPIPE_BUILTIN_WORD(name, entry)`:
/// the DSL library compiles every built-in header once with
/// ALPIPE_BUILTIN_WORDS defined (src/dsl/word_table.cpp), which adds each
/// entry to the table before main; in any other translation unit the line
/// is empty, so that including a word costs it nothing.
#ifdef ALPIPE_BUILTIN_WORDS
#define ALPIPE_BUILTIN_WORD(name, entry)                                           \
  namespace al::detail {                                                           \
  [[maybe_unused]] static const bool name##_registered = builtin_word(entry); \
  }
#else
#define ALPIPE_BUILTIN_WORD(name, entry)
#endif
