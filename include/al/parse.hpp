#pragma once
// al::parse — the text front end. Reads exactly what `al::to_string(p)`
// prints and lowers it with the same plan builder and the same rules as the
// typed DSL, so both give identical plans:
//
//   auto plan = al::parse("initial(random, 100) | cycle(6, query(entropy, 100))");
//
// Grammar:
//   pipeline := stage ('|' stage)*
//   stage    := 'pretrain' '(' pretext ')' ('.' option '(' value ')')*
//             | 'initial' '(' strategy ',' count ')'
//             | 'query'   '(' strategy ',' count ')'
//             | 'cycle'   '(' count ',' pipeline ')'
//             | 'train' ['(' [optimizer] ')'] ('.' option '(' [value] ')')*
//   strategy := word ['.' option '(' count ')']
//             | combinator '(' argument (',' argument)* ')' ['>>' strategy]
//   argument := strategy | number
// The words, their options and each combinator's arguments come from the
// word table (al/word_table.hpp): prefilter(s, m) >> set, mix(a, b, r),
// pt4al(s), balanced(s), class_balanced(s, l), and any a user registers.
// Errors point at the mistake with a caret and suggest the nearest known
// word: AL001 unknown word, AL002 syntax, AL003 bad number, and every rule
// the typed DSL checks (see docs/errors.md).
//
// The parser is compiled into the DSL library (src/dsl/parse.cpp), so that a
// translation unit that only builds pipelines does not compile it.
//
// Any text ends in a plan or a parse_error, quickly: the parser recurses
// only into combinators, at most limits::max_nesting deep and over at most
// limits::max_strategy_words words (AL037), and into one cycle body (a cycle
// inside it is refused before its body is read, AL011); every number is
// bounded (al/limits.hpp) before the plan is written out.

#include <al/plan.hpp>
#include <al/plan_error.hpp>
#include <al/words.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace al {

/// A text pipeline that cannot be read; `position` is the offset of the
/// mistake and `what()` shows it with a caret.
struct parse_error : plan_error {
  parse_error(const std::string& message, std::size_t at) : plan_error(message), position(at) {}
  std::size_t position;
};

/// Reads a pipeline written in the text DSL and lowers it to a plan.
plan parse(std::string_view text);

/// `text` with the strategy of every query(s, n) spelt `strategy` instead,
/// found by the parser itself (so nested words, commas and spaces inside s
/// are whatever the grammar says), or nullopt when the text has no query.
/// Throws parse_error when `text` does not parse. `strategy` is not checked:
/// parse the result.
///
///   replace_query_strategies("initial(random, 9) | cycle(2, query(mix(a, b, 0.5), 9))", "random")
///   // "initial(random, 9) | cycle(2, query(random, 9))"
std::optional<std::string> replace_query_strategies(std::string_view text,
                                                    std::string_view strategy);

}  // namespace al
