#pragma once
// The strategy words the text front end knows: the built-in ones and any a
// user registers. The typed DSL needs no table (a word is its type); the
// parser and the `alpipe` command look words up here by name.
//
//   al::register_word(my_scorer);   // now "my_scorer" parses too

#include <al/strategy/badge.hpp>
#include <al/strategy/bald.hpp>
#include <al/strategy/boundary.hpp>
#include <al/strategy/coreset.hpp>
#include <al/strategy/entropy.hpp>
#include <al/strategy/least_confidence.hpp>
#include <al/strategy/margin.hpp>
#include <al/strategy/mcdal.hpp>
#include <al/strategy/random.hpp>
#include <al/strategy/selector.hpp>
#include <al/strategy/tod.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace al {

/// What the parser knows about a strategy word.
struct word_info {
  selector_spec spec;
  selector_kind kind = selector_kind::scorer;
};

namespace detail {
struct word_table {
  std::mutex mutex;
  std::map<std::string, word_info, std::less<>> words;

  template <selector S>
  void add(const S& word) {
    words.insert_or_assign(std::string(S::name), word_info{to_spec(word), S::kind});
  }
  word_table() {
    add(al::random);
    add(al::least_confidence);
    add(al::margin);
    add(al::entropy);
    add(al::bald);
    add(al::coreset);
    add(al::badge);
    add(al::boundary);
    add(al::mcdal);
    add(al::tod);
  }
};
inline word_table& words() {
  static word_table table;
  return table;
}
}  // namespace detail

/// Makes a user-defined strategy word known to `al::parse` and the CLI.
/// (Its engine side is registered separately, see <al/engine/selection.hpp>.)
template <selector S>
void register_word(const S& word) {
  auto& table = detail::words();
  std::lock_guard lock(table.mutex);
  table.add(word);
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

/// Every strategy word, sorted.
inline std::vector<std::string> strategy_words() {
  auto& table = detail::words();
  std::lock_guard lock(table.mutex);
  std::vector<std::string> names;
  for (const auto& [name, _] : table.words) names.push_back(name);
  return names;
}

/// The stage words of the grammar.
inline const std::vector<std::string>& stage_words() {
  static const std::vector<std::string> words{"pretrain", "initial", "train", "query", "cycle"};
  return words;
}

/// The combinators: strategies built from other strategies.
inline const std::vector<std::string>& combinator_words() {
  static const std::vector<std::string> words{"prefilter", "mix", "pt4al", "balanced",
                                              "class_balanced"};
  return words;
}

/// The options of `train`, as written after a dot.
inline const std::vector<std::string>& train_option_words() {
  static const std::vector<std::string> words{"epochs",       "min_steps", "batch_size",
                                              "lr",           "weight_decay", "momentum",
                                              "warm_start",   "linear_probe", "probe_first",
                                              "cod"};
  return words;
}

/// The pretext tasks `pretrain(...)` takes.
inline const std::vector<std::string>& pretext_words() {
  static const std::vector<std::string> words{"simsiam", "rotation"};
  return words;
}

/// The options of `pretrain(...)`; the last two are simsiam's only.
inline const std::vector<std::string>& pretrain_option_words() {
  static const std::vector<std::string> words{"epochs",       "batch_size", "lr",
                                              "weight_decay", "projector",  "predictor"};
  return words;
}

}  // namespace al
