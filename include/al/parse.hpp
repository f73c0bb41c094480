#pragma once
// al::parse — the text front end. Reads exactly what `al::to_string(p)`
// prints and lowers it with the same plan builder and the same rules as the
// typed DSL, so both give identical plans:
//
//   auto plan = al::parse("initial(random, 100) | cycle(6, query(entropy, 100))");
//
// Grammar:
//   pipeline := stage ('|' stage)*
//   stage    := 'initial' '(' word ',' count ')'
//             | 'query'   '(' word ',' count ')'
//             | 'cycle'   '(' count ',' pipeline ')'
//             | 'train' ['(' [optimizer] ')'] ('.' option '(' [value] ')')*
// Errors point at the mistake with a caret and suggest the nearest known
// word: AL001 unknown word, AL002 syntax, AL003 bad number, and every rule
// the typed DSL checks (see docs/errors.md).

#include <al/detail/nearest_word.hpp>
#include <al/detail/plan_builder.hpp>
#include <al/errors.hpp>
#include <al/plan.hpp>
#include <al/rules.hpp>
#include <al/stage/train.hpp>
#include <al/strategy/mix.hpp>
#include <al/strategy/prefilter.hpp>
#include <al/words.hpp>

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace al {

/// A text pipeline that cannot be read; `position` is the offset of the
/// mistake and `what()` shows it with a caret.
struct parse_error : plan_error {
  parse_error(const std::string& message, std::size_t at) : plan_error(message), position(at) {}
  std::size_t position;
};

namespace detail {

/// One stage as read from text, before lowering.
struct text_stage {
  stage_kind kind = stage_kind::train;
  std::size_t position = 0;
  selector_spec selector;           // initial, query
  std::int64_t count = 0;           // initial, query: samples; cycle: repetitions
  train_stage train;                // train
  std::vector<text_stage> body;     // cycle
};

class text_parser {
 public:
  explicit text_parser(std::string_view text) : text_(text) {}

  plan parse() {
    const auto stages = parse_pipeline();
    skip_space();
    if (at_ < text_.size()) {
      fail("AL002", fmt::format("unexpected '{}' after the pipeline; stages are joined with |",
                                text_[at_]), at_);
    }
    check_order(stages);
    plan_builder builder;
    lower(stages, builder);
    try {
      return builder.finish();
    } catch (const plan_error& e) {
      throw parse_error(with_caret(e.what(), 0), 0);
    }
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;

  [[noreturn]] void fail(std::string_view code, const std::string& message, std::size_t at) const {
    throw parse_error(with_caret(fmt::format("{}: {}", code, message), at), at);
  }

  std::string with_caret(std::string_view message, std::size_t at) const {
    return fmt::format("{}\n  {}\n  {}^", message, text_, std::string(at, ' '));
  }

  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }

  bool accept(char c) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  void expect(char c, std::string_view context) {
    if (accept(c)) return;
    const std::string found = at_ < text_.size() ? fmt::format("'{}'", text_[at_]) : "the end";
    fail("AL002", fmt::format("expected '{}' {}, found {}", c, context, found), at_);
  }

  /// An identifier; empty when there is none here.
  std::string_view identifier() {
    skip_space();
    const auto start = at_;
    while (at_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) {
      ++at_;
    }
    return text_.substr(start, at_ - start);
  }

  /// The raw text of a number (or of whatever stands where one should).
  std::pair<std::string_view, std::size_t> number_text() {
    skip_space();
    const auto start = at_;
    while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) ||
                                  text_[at_] == '.' || text_[at_] == '-' || text_[at_] == '+' ||
                                  text_[at_] == '_')) {
      ++at_;
    }
    return {text_.substr(start, at_ - start), start};
  }

  std::int64_t whole_number(std::string_view what) {
    const auto [digits, start] = number_text();
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      fail("AL003", fmt::format("{} must be a whole number, found '{}'", what, digits), start);
    }
    return value;
  }

  double real_number(std::string_view what) {
    const auto [digits, start] = number_text();
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      fail("AL003", fmt::format("{} must be a number, found '{}'", what, digits), start);
    }
    return value;
  }

  static std::string suggestion(std::string_view word, const std::vector<std::string>& known) {
    if (const auto near = nearest_word(word, known)) return fmt::format("; did you mean {}?", *near);
    return fmt::format("; known words: {}", fmt::join(known, ", "));
  }

  std::vector<text_stage> parse_pipeline() {
    std::vector<text_stage> stages;
    do {
      stages.push_back(parse_stage());
    } while (accept('|'));
    return stages;
  }

  text_stage parse_stage() {
    skip_space();
    text_stage stage;
    stage.position = at_;
    const auto word = identifier();
    if (word.empty()) {
      const std::string found = at_ < text_.size() ? fmt::format("'{}'", text_[at_]) : "the end";
      fail("AL002", fmt::format("expected a stage (initial, train, query, cycle), found {}", found),
           at_);
    }
    if (word == "initial" || word == "query") {
      stage.kind = word == "initial" ? stage_kind::initial : stage_kind::query;
      expect('(', fmt::format("after {}", word));
      stage.selector = selector_expression(stage.kind == stage_kind::initial);
      expect(',', "after the strategy");
      stage.count = whole_number("the number of samples");
      expect(')', fmt::format("to close {}(...)", word));
    } else if (word == "cycle") {
      stage.kind = stage_kind::cycle;
      expect('(', "after cycle");
      stage.count = whole_number("the number of cycles");
      expect(',', "after the number of cycles");
      stage.body = parse_pipeline();
      check_cycle_body(stage.body);
      expect(')', "to close cycle(...)");
    } else if (word == "train") {
      stage.kind = stage_kind::train;
      stage.train = parse_train();
    } else if (find_word(word)) {
      fail("AL015", fmt::format("{} is a strategy, not a stage; wrap it in a stage: query({}, 100) "
                                "or initial({}, 100)", word, word, word),
           stage.position);
    } else {
      fail("AL001", fmt::format("unknown stage '{}'{}", word, suggestion(word, stage_words())),
           stage.position);
    }
    return stage;
  }

  /// selector := word ['.passes(' n ')'] | prefilter(s, m) >> selector | mix(a, b, r)
  selector_spec selector_expression(bool must_score) {
    skip_space();
    const auto start = at_;
    auto [spec, kind] = selector_primary();
    skip_space();
    if (text_.substr(at_, 2) == ">>") {
      if (spec.name != "prefilter" || !spec.inner.empty()) {
        fail("AL002", "'>>' follows only prefilter(s, m), as in prefilter(entropy, 10) >> coreset", at_);
      }
      at_ += 2;
      skip_space();
      const auto chooser_at = at_;
      auto [chooser, chooser_kind] = selector_primary();
      if (chooser_kind != selector_kind::set_selector) {
        fail("AL020", "prefilter(s, m) >> x: x must be a set selector such as coreset or badge; "
                      "to rank by one score, query(s, n) alone does it", chooser_at);
      }
      spec = prefilter_spec(std::move(pending_filter_), spec.parameter, std::move(chooser));
      kind = selector_kind::set_selector;
    } else if (spec.name == "prefilter" && spec.inner.empty()) {
      fail("AL002", "prefilter(s, m) needs a set selector after it: prefilter(entropy, 10) >> coreset",
           at_);
    }
    if (must_score && kind != selector_kind::scorer) {
      fail("AL023", "initial(s, n) takes a per-sample scorer such as random; a set selector needs "
                    "a labelled set to start from, so use it in query(...)", start);
    }
    return spec;
  }

  std::pair<selector_spec, selector_kind> selector_primary() {
    skip_space();
    const auto start = at_;
    const auto word = identifier();
    if (word.empty()) fail("AL002", "expected a strategy word such as entropy", start);
    if (word == "prefilter") {
      expect('(', "after prefilter");
      skip_space();
      const auto filter_at = at_;
      auto [filter, filter_kind] = selector_primary();
      if (filter_kind != selector_kind::scorer) {
        fail("AL021", "prefilter(s, m) ranks by a per-sample score; a set selector such as "
                      "coreset cannot rank; try prefilter(entropy, 10) >> coreset", filter_at);
      }
      expect(',', "after the scorer of prefilter");
      skip_space();
      const auto factor_at = at_;
      const auto factor = real_number("prefilter's factor m");
      expect(')', "to close prefilter(...)");
      if (!(factor >= 1)) report_at(factor_at, [&] { errors::AL019_prefilter_factor(factor); });
      pending_filter_ = std::move(filter);
      selector_spec half{"prefilter", {}, ""};
      half.parameter = factor;
      return {half, selector_kind::set_selector};
    }
    if (word == "mix") {
      expect('(', "after mix");
      auto first = selector_expression(false);
      expect(',', "after the first strategy of mix");
      auto second = selector_expression(false);
      expect(',', "after the second strategy of mix");
      skip_space();
      const auto fraction_at = at_;
      const auto fraction = real_number("mix's fraction r");
      expect(')', "to close mix(...)");
      if (!(fraction >= 0 && fraction <= 1)) {
        report_at(fraction_at, [&] { errors::AL022_mix_fraction(fraction); });
      }
      return {mix_spec(std::move(first), std::move(second), fraction), selector_kind::set_selector};
    }
    if (const auto* info = find_word(word)) {
      if (word == "bald" && accept('.')) {
        skip_space();
        const auto option_at = at_;
        const auto option = identifier();
        if (option != "passes") {
          fail("AL001", fmt::format("unknown option '{}' of bald; the option is passes", option), option_at);
        }
        expect('(', "after .passes");
        const auto passes = whole_number("bald's passes");
        expect(')', "to close .passes(...)");
        selector_spec spec;
        report_at(option_at, [&] { spec = al::bald.passes(passes).spec(); });
        return {spec, info->kind};
      }
      return {info->spec, info->kind};
    }
    for (const auto& stage : stage_words()) {
      if (word == stage) {
        fail("AL016", fmt::format("{}(...) is a stage, not a strategy; query(...) and "
                                  "initial(...) take a strategy word such as entropy", word),
             start);
      }
    }
    auto known = strategy_words();
    known.push_back("prefilter");
    known.push_back("mix");
    fail("AL001", fmt::format("unknown strategy '{}'{}", word, suggestion(word, known)), start);
  }

  /// Runs a rule's reporter and shows its message with a caret at `at`.
  template <class Check>
  void report_at(std::size_t at, Check&& check) const {
    try {
      check();
    } catch (const parse_error&) {
      throw;
    } catch (const plan_error& e) {
      throw parse_error(with_caret(e.what(), at), at);
    }
  }

  selector_spec pending_filter_;  // the scorer of a prefilter(...) waiting for its >>

  /// The typed DSL's compile-time order rule, on the stages read.
  void check_order(const std::vector<text_stage>& stages) const {
    std::vector<stage_kind> kinds;
    for (const auto& s : stages) kinds.push_back(s.kind);
    const auto check = check_stage_order(kinds);
    if (check.violation == order_violation::none) return;
    report_at(stages[check.stage].position, [&] {
      if (check.violation == order_violation::two_initial_stages) errors::AL007_two_initial_stages();
      errors::AL008_initial_after_query();
    });
  }

  void check_cycle_body(const std::vector<text_stage>& body) const {
    int queries = 0;
    for (const auto& s : body) {
      if (s.kind == stage_kind::initial || s.kind == stage_kind::cycle) {
        const auto name = s.kind == stage_kind::initial ? "initial(...)" : "cycle(...)";
        report_at(s.position, [&] { errors::AL011_stage_not_allowed_in_cycle(name); });
      }
      queries += s.kind == stage_kind::query ? 1 : 0;
    }
    if (queries != 1) {
      report_at(body.front().position, [&] { errors::AL012_cycle_body_query_count(queries); });
    }
  }

  train_stage parse_train() {
    train_stage stage = al::train;
    const auto apply = [&](std::size_t position, auto&& setter) {
      try {
        stage = setter(stage);
      } catch (const parse_error&) {
        throw;
      } catch (const plan_error& e) {
        throw parse_error(with_caret(e.what(), position), position);
      }
    };
    skip_space();
    if (accept('(')) {
      skip_space();
      const auto position = at_;
      const auto name = identifier();
      if (name == "adam" || name == "sgd") {
        apply(position, [&](const train_stage& s) {
          return s(name == "adam" ? optimizer::adam : optimizer::sgd);
        });
      } else if (!name.empty()) {
        fail("AL001", fmt::format("unknown optimizer '{}'; use adam or sgd", name), position);
      }
      expect(')', "to close train(...)");
    }
    while (accept('.')) {
      skip_space();
      const auto position = at_;
      const auto option = identifier();
      expect('(', fmt::format("after .{}", option));
      if (option == "warm_start") {
        skip_space();
        bool on = true;
        const auto value_at = at_;
        const auto value = identifier();
        if (value == "false") on = false;
        else if (!value.empty() && value != "true") {
          fail("AL003", fmt::format("warm_start takes true or false, found '{}'", value), value_at);
        }
        apply(position, [&](const train_stage& s) { return s.warm_start(on); });
      } else if (option == "epochs" || option == "min_steps" || option == "batch_size") {
        const auto n = whole_number(option);
        apply(position, [&](const train_stage& s) {
          return option == "epochs" ? s.epochs(n) : option == "min_steps" ? s.min_steps(n) : s.batch_size(n);
        });
      } else if (option == "lr" || option == "weight_decay" || option == "momentum") {
        const auto x = real_number(option);
        apply(position, [&](const train_stage& s) {
          return option == "lr" ? s.lr(x) : option == "weight_decay" ? s.weight_decay(x) : s.momentum(x);
        });
      } else {
        fail("AL001", fmt::format("unknown train option '{}'{}", option,
                                  suggestion(option, train_option_words())),
             position);
      }
      expect(')', fmt::format("to close .{}(...)", option));
    }
    return stage;
  }

  void lower(const std::vector<text_stage>& stages, plan_builder& builder) const {
    for (const auto& s : stages) {
      try {
        switch (s.kind) {
          case stage_kind::initial: builder.add_initial(s.selector, s.count); break;
          case stage_kind::query: builder.add_query(s.selector, s.count); break;
          case stage_kind::train: builder.set_recipe(s.train.recipe); break;
          case stage_kind::cycle:
            if (s.count <= 0) errors::AL006_cycle_count_not_positive(s.count);
            for (std::int64_t i = 0; i < s.count; ++i) lower(s.body, builder);
            break;
        }
      } catch (const parse_error&) {
        throw;
      } catch (const plan_error& e) {
        throw parse_error(with_caret(e.what(), s.position), s.position);
      }
    }
  }
};

}  // namespace detail

/// Reads a pipeline written in the text DSL and lowers it to a plan.
inline plan parse(std::string_view text) { return detail::text_parser(text).parse(); }

}  // namespace al
