// The word table, with every built-in strategy word in it: each header in
// al/strategies.hpp ends with ALPIPE_BUILTIN_WORD, which registers its word
// here, as the program starts, because this file defines ALPIPE_BUILTIN_WORDS;
// so does each stopping rule's header in al/stopping_rules.hpp.
// Defining words() here also means that any program that looks a word up
// links this file, and so its registrations.

#define ALPIPE_BUILTIN_WORDS
#include <al/word_table.hpp>
// The table must exist before the headers below register into it: it is a
// function-local static, built on first use.
#include <al/strategies.hpp>
#include <al/stopping_rules.hpp>

namespace al::detail {

word_table& words() {
  static word_table table;
  return table;
}

stopping_rule_table& stopping_rules() {
  static stopping_rule_table table;
  return table;
}

}  // namespace al::detail
