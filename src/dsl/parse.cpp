// The text front end: reads what al::to_string prints, checks it with the
// typed DSL's rules and lowers it with the same plan builder (see
// al/parse.hpp for the grammar).

#include <al/parse.hpp>
#include <al/stopping_rule.hpp>

#include <al/detail/nearest_word.hpp>
#include <al/detail/plan_builder.hpp>
#include <al/errors.hpp>
#include <al/limits.hpp>
#include <al/plan.hpp>
#include <al/rules.hpp>
#include <al/stage/pretrain.hpp>
#include <al/stage/train.hpp>
#include <al/strategy/balanced.hpp>
#include <al/strategy/class_balanced.hpp>
#include <al/strategy/mix.hpp>
#include <al/strategy/prefilter.hpp>
#include <al/strategy/pt4al.hpp>
#include <al/word_table.hpp>
#include <al/words.hpp>

#include <fmt/format.h>
#include <range/v3/algorithm/contains.hpp>
#include <range/v3/algorithm/find.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/transform.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace al {

namespace detail {

/// One stage as read from text, before lowering.
struct text_stage {
  stage_kind kind = stage_kind::train;
  std::size_t position = 0;
  selector_spec selector;           // initial, query
  std::size_t selector_position = 0;
  std::int64_t count = 0;           // initial, query: samples; cycle: repetitions
  train_stage train;                // train
  // train: where .linear_probe() or .probe_first() is written, for AL027 and AL035
  std::size_t encoder_option_position = 0;
  pretrain_recipe pretrain;         // pretrain
  std::vector<text_stage> body;     // cycle
  std::optional<stopping_rule> stop;  // cycle(until(rule, max), ...)
};

class text_parser {
 public:
  explicit text_parser(std::string_view text) : text_(text) {}

  /// Where each query(s, n) spells its strategy s: [begin, end) offsets
  /// into the text, in order, as the last parse() read them.
  [[nodiscard]] const std::vector<std::pair<std::size_t, std::size_t>>& query_strategy_spans() const {
    return query_strategy_spans_;
  }

  plan parse() {
    query_strategy_spans_.clear();
    const auto stages = parse_pipeline();
    skip_space();
    if (at_ < text_.size()) {
      fail("AL002", fmt::format("unexpected '{}' after the pipeline; stages are joined with |",
                                text_[at_]), at_);
    }
    check_order(stages);
    check_providers(stages);
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
  std::vector<std::pair<std::size_t, std::size_t>> query_strategy_spans_;
  int depth_ = 0;              // combinators open where the parser reads
  int strategy_words_ = 0;     // words read so far in the current strategy
  bool in_cycle_body_ = false;

  /// One level of nesting, for as long as the parser reads inside the
  /// combinator `word` written at `at`. Entered before the parser recurses,
  /// so that no input can drive the recursion deeper than
  /// limits::max_nesting (AL037).
  class nesting_level {
   public:
    nesting_level(text_parser& parser, std::string_view word, std::size_t at) : parser_(parser) {
      if (parser_.depth_ >= limits::max_nesting) {
        parser_.report_at(at, [&] { errors::AL037_strategy_nested_too_deeply(word); });
      }
      ++parser_.depth_;
    }
    ~nesting_level() { --parser_.depth_; }
    nesting_level(const nesting_level&) = delete;
    nesting_level& operator=(const nesting_level&) = delete;

   private:
    text_parser& parser_;
  };

  [[noreturn]] void fail(std::string_view code, const std::string& message, std::size_t at) const {
    throw parse_error(with_caret(fmt::format("{}: {}", code, message), at), at);
  }

  /// A message that starts with its code, shared with a static_assert of
  /// the typed DSL (al/errors.hpp).
  [[noreturn]] void fail_message(std::string_view message, std::size_t at) const {
    throw parse_error(with_caret(message, at), at);
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
    const bool whole = end == digits.data() + digits.size();
    if (whole && error == std::errc::result_out_of_range) {
      fail("AL003", fmt::format("{} does not fit in a 64-bit integer, found '{}'", what, digits),
           start);
    }
    if (digits.empty() || error != std::errc() || !whole) {
      fail("AL003", fmt::format("{} must be a whole number, found '{}'", what, digits), start);
    }
    return value;
  }

  double real_number(std::string_view what) {
    const auto [digits, start] = number_text();
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    const bool whole = end == digits.data() + digits.size();
    if (whole && error == std::errc::result_out_of_range) {
      fail("AL003", fmt::format("{} is beyond the range of a double, found '{}'", what, digits),
           start);
    }
    if (digits.empty() || error != std::errc() || !whole) {
      fail("AL003", fmt::format("{} must be a number, found '{}'", what, digits), start);
    }
    // from_chars reads "nan" and "inf" too; the DSL's numbers are finite.
    if (!std::isfinite(value)) {
      fail("AL003", fmt::format("{} must be a finite number, found '{}'", what, digits), start);
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
      fail("AL002",
           fmt::format("expected a stage (pretrain, initial, train, query, cycle), found {}", found),
           at_);
    }
    if (word == "initial" || word == "query") {
      stage.kind = word == "initial" ? stage_kind::initial : stage_kind::query;
      expect('(', fmt::format("after {}", word));
      skip_space();
      stage.selector_position = at_;
      strategy_words_ = 0;
      stage.selector = selector_expression(stage.kind == stage_kind::initial);
      if (stage.kind == stage_kind::query) {
        auto end = at_;  // the words end before any space read after them
        while (end > stage.selector_position &&
               std::isspace(static_cast<unsigned char>(text_[end - 1]))) {
          --end;
        }
        query_strategy_spans_.push_back({stage.selector_position, end});
      }
      expect(',', "after the strategy");
      skip_space();
      const auto count_at = at_;
      stage.count = whole_number("the number of samples");
      if (stage.count > limits::max_samples) {
        report_at(count_at, [&] {
          errors::AL038_sample_count_too_large(word, stage.selector.name, stage.count);
        });
      }
      expect(')', fmt::format("to close {}(...)", word));
    } else if (word == "cycle") {
      stage.kind = stage_kind::cycle;
      // Refused before its body is read, so that cycles cannot drive the
      // recursion; check_cycle_body refuses the other stages a body may not hold.
      if (in_cycle_body_) {
        report_at(stage.position,
                  [] { errors::AL011_stage_not_allowed_in_cycle(stage_call(stage_kind::cycle)); });
      }
      expect('(', "after cycle");
      skip_space();
      const auto until_at = at_;
      if (identifier() == "until") {
        expect('(', "after until");
        stage.stop = stopping_rule_expression();
        expect(',', "after the stopping rule");
      } else {
        at_ = until_at;
      }
      skip_space();
      const auto count_at = at_;
      stage.count = whole_number(stage.stop ? "the most cycles" : "the number of cycles");
      if (stage.count > limits::max_cycles) {
        report_at(count_at, [&] { errors::AL039_too_many_cycles(stage.count); });
      }
      if (stage.stop) expect(')', "to close until(...)");
      expect(',', "after the number of cycles");
      in_cycle_body_ = true;
      stage.body = parse_pipeline();
      in_cycle_body_ = false;
      check_cycle_body(stage.body);
      expect(')', "to close cycle(...)");
    } else if (word == "train") {
      stage.kind = stage_kind::train;
      stage.train = parse_train(stage.encoder_option_position);
    } else if (word == "pretrain") {
      stage.kind = stage_kind::pretrain;
      stage.pretrain = parse_pretrain();
    } else if (is_pretext(word)) {
      fail("AL028", fmt::format("{} is a pretext task, not a stage; write pretrain({}) at the front "
                                "of the pipeline", word, word),
           stage.position);
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

  /// A stopping rule with its options: `stable_predictions.kappa(0.95)`.
  stopping_rule stopping_rule_expression() {
    skip_space();
    const auto start = at_;
    const auto word = identifier();
    const auto info = find_stopping_rule(word);
    if (!info) {
      if (word.empty()) fail("AL002", "expected a stopping rule such as stable_predictions", start);
      fail("AL001", fmt::format("unknown stopping rule '{}'{}", word,
                                suggestion(word, stopping_rule_words())),
           start);
    }
    auto rule = info->defaults;
    while (accept('.')) {
      skip_space();
      const auto option_at = at_;
      const auto option = identifier();
      const auto found = ranges::find(info->options, option, &stopping_option::name);
      if (found == info->options.end()) {
        const auto names = info->options | ranges::views::transform(&stopping_option::name) |
                           ranges::to<std::vector>();
        fail("AL001", fmt::format("unknown option '{}' of {}; the options are {}", option, word,
                                  fmt::join(names, ", ")),
             option_at);
      }
      expect('(', fmt::format("after .{}", found->name));
      const auto what = fmt::format("{}'s {}", word, found->name);
      const double value = found->whole_number ? static_cast<double>(whole_number(what))
                                               : real_number(what);
      expect(')', fmt::format("to close .{}(...)", found->name));
      report_at(option_at, [&] { rule = found->apply(rule, value); });
    }
    return rule;
  }

  /// A whole strategy; `must_score`: it must be a per-sample scorer (AL023).
  selector_spec selector_expression(bool must_score) {
    skip_space();
    const auto start = at_;
    auto [spec, kind] = selector_chain();
    if (must_score && kind != selector_kind::scorer) {
      const auto word = find_word(spec.name);
      if (!word || !word->starts_cold) fail_message(ALPIPE_AL023_MESSAGE, start);
    }
    return spec;
  }

  /// primary, and nothing after it but what closes it: a `>>` follows only
  /// a word that takes a set selector after it (prefilter), and that word
  /// reads it itself.
  std::pair<selector_spec, selector_kind> selector_chain() {
    skip_space();
    auto result = selector_primary();
    skip_space();
    if (text_.substr(at_, 2) == ">>") {
      fail("AL002", "'>>' follows only prefilter(s, m), as in prefilter(entropy, 10) >> coreset", at_);
    }
    return result;
  }

  /// A strategy word, with its options or its arguments, as the word table
  /// describes it.
  std::pair<selector_spec, selector_kind> selector_primary() {
    skip_space();
    const auto start = at_;
    const auto word = identifier();
    if (word.empty()) fail("AL002", "expected a strategy word such as entropy", start);
    // Counted before any recursion: with max_nesting, it bounds the work
    // and the plan's copies of this strategy, whatever the text.
    if (++strategy_words_ > limits::max_strategy_words) {
      report_at(start, [] { errors::AL037_strategy_too_large(); });
    }
    if (const auto info = find_word(word)) {
      if (info->is_combinator()) return combinator(*info, start);
      if (!info->options.empty() && accept('.')) return {word_option(*info), info->kind};
      return {info->spec, info->kind};
    }
    if (ranges::contains(stage_words(), word)) {
      fail("AL016", fmt::format("{}(...) is a stage, not a strategy; query(...) and "
                                "initial(...) take a strategy word such as entropy", word),
           start);
    }
    if (is_pretext(word)) {
      fail("AL028", fmt::format("{} is a pretext task for pretrain(...), not a strategy; query(...) "
                                "and initial(...) take a strategy word such as entropy", word),
           start);
    }
    auto known = strategy_words();
    const auto combinators = combinator_words();
    known.insert(known.end(), combinators.begin(), combinators.end());
    fail("AL001", fmt::format("unknown strategy '{}'{}", word, suggestion(word, known)), start);
  }

  /// word '(' argument (',' argument)* ')' ['>>' set_selector]: a combinator
  /// read by its arguments' description. A strategy argument is checked as
  /// soon as it is read, a number once the word is closed.
  std::pair<selector_spec, selector_kind> combinator(const word_info& info, std::size_t start) {
    const auto& word = info.name();
    std::vector<selector_spec> strategies;
    std::vector<double> numbers;
    std::vector<std::pair<const word_argument*, std::size_t>> number_positions;
    {
      const nesting_level level(*this, word, start);
      expect('(', fmt::format("after {}", word));
      for (std::size_t i = 0; i < info.arguments.size(); ++i) {
        const auto& argument = info.arguments[i];
        if (i > 0) expect(',', fmt::format("after the {} of {}", info.arguments[i - 1].what, word));
        skip_space();
        const auto argument_at = at_;
        if (argument.type == word_argument::kind::number) {
          numbers.push_back(real_number(fmt::format("{}'s {}", word, argument.what)));
          number_positions.emplace_back(&argument, argument_at);
          continue;
        }
        const bool scorer_only = argument.type == word_argument::kind::scorer;
        auto [inner, inner_kind] = scorer_only ? selector_primary() : selector_chain();
        if (!nestable(inner)) fail_message(ALPIPE_AL031_MESSAGE, argument_at);
        if (scorer_only && inner_kind != selector_kind::scorer) {
          fail_message(argument.not_a_scorer, argument_at);
        }
        strategies.push_back(std::move(inner));
      }
      expect(')', fmt::format("to close {}(...)", word));
    }
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      const auto& [argument, at] = number_positions[i];
      if (argument->check) report_at(at, [&] { argument->check(numbers[i]); });
    }
    if (info.takes_set_selector_after) {
      skip_space();
      if (text_.substr(at_, 2) != ">>") {
        fail("AL002", fmt::format("{} needs a set selector after it: prefilter(entropy, 10) >> "
                                  "coreset", call_form(info)),
             at_);
      }
      const nesting_level level(*this, word, at_);
      at_ += 2;
      skip_space();
      const auto chooser_at = at_;
      auto [chooser, chooser_kind] = selector_primary();
      if (chooser_kind != selector_kind::set_selector) fail_message(ALPIPE_AL020_MESSAGE, chooser_at);
      strategies.push_back(std::move(chooser));
    }
    selector_spec spec;
    report_at(start, [&] { spec = info.build(std::move(strategies), std::move(numbers)); });
    return {std::move(spec), info.kind};
  }

  /// word '.' option '(' n ')': the option as the word table describes it.
  selector_spec word_option(const word_info& info) {
    skip_space();
    const auto option_at = at_;
    const auto option = identifier();
    const auto found = ranges::find(info.options, option, &al::word_option::name);
    if (found == info.options.end()) {
      const auto names =
          info.options | ranges::views::transform(&al::word_option::name) | ranges::to<std::vector>();
      fail("AL001", fmt::format("unknown option '{}' of {}; the option{} {}", option, info.name(),
                                names.size() == 1 ? " is" : "s are", fmt::join(names, ", ")),
           option_at);
    }
    expect('(', fmt::format("after .{}", found->name));
    const auto value = whole_number(fmt::format("{}'s {}", info.name(), found->name));
    expect(')', fmt::format("to close .{}(...)", found->name));
    selector_spec spec;
    report_at(option_at, [&] { spec = found->apply(value); });
    return spec;
  }

  /// How a combinator is called, without what follows it: "prefilter(s, m)".
  static std::string call_form(const word_info& info) {
    return info.usage.substr(0, info.usage.find(')') + 1);
  }

  /// Whether a combinator may hold the strategy `spec` (pt4al: never, AL031).
  static bool nestable(const selector_spec& spec) {
    const auto info = find_word(spec.name);
    return !info || info->nestable;
  }

  static bool is_pretext(std::string_view word) { return ranges::contains(pretext_words(), word); }

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

  /// The typed DSL's compile-time order rule, on the stages read.
  void check_order(const std::vector<text_stage>& stages) const {
    const auto check = check_stage_order(kinds_of(stages));
    if (check.violation == order_violation::none) return;
    report_at(stages[check.stage].position, [&] {
      switch (check.violation) {
        case order_violation::two_initial_stages: errors::AL007_two_initial_stages();
        case order_violation::initial_after_query: errors::AL008_initial_after_query();
        case order_violation::pretrain_not_first: errors::AL024_pretrain_not_first();
        case order_violation::two_pretrain_stages: errors::AL025_two_pretrain_stages();
        case order_violation::none: break;
      }
    });
  }

  /// The typed DSL's provider rule (AL026), with the caret under the word
  /// that needs what no earlier stage provides.
  void check_providers(const std::vector<text_stage>& stages) const {
    const auto check =
        al::check_providers(stages | ranges::views::transform(needs_of) | ranges::to<std::vector>());
    if (check.ok) return;
    // The stage itself, or the query of the cycle body, names the word.
    const text_stage* at = &stages[check.stage];
    for (const auto& inner : at->body) {
      if (inner.kind == stage_kind::query && inner.selector.needs.contains(check.missing)) at = &inner;
    }
    const auto* entry = provider_of(check.missing);
    report_at(at->selector_position, [&] {
      errors::AL026_need_not_provided(word_needing(at->selector, check.missing), entry->description,
                                      entry->provider);
    });
  }

  static std::vector<stage_kind> kinds_of(const std::vector<text_stage>& stages) {
    return stages | ranges::views::transform(&text_stage::kind) | ranges::to<std::vector>();
  }

  static stage_needs needs_of(const text_stage& s) {
    switch (s.kind) {
      case stage_kind::pretrain: return {{}, provided_by(s.pretrain.pretext)};
      case stage_kind::initial:
      case stage_kind::query: return {s.selector.needs, {}};
      case stage_kind::cycle: {
        stage_needs all;
        for (const auto& inner : s.body) {
          const auto part = needs_of(inner);
          all = {all.needs | part.needs, all.provides | part.provides};
        }
        return all;
      }
      case stage_kind::train: break;
    }
    return {};
  }

  /// The typed DSL's cycle-body rule (AL011, AL012), on the stages read.
  void check_cycle_body(const std::vector<text_stage>& body) const {
    const auto check = al::check_cycle_body(kinds_of(body));
    switch (check.violation) {
      case cycle_body_violation::stage_not_allowed: {
        const auto& s = body[check.stage];
        report_at(s.position, [&] { errors::AL011_stage_not_allowed_in_cycle(stage_call(s.kind)); });
        break;
      }
      case cycle_body_violation::query_count:
        report_at(body.front().position,
                  [&] { errors::AL012_cycle_body_query_count(check.queries); });
        break;
      case cycle_body_violation::none: break;
    }
  }

  /// `encoder_option_at`: set to where .linear_probe() or .probe_first() is
  /// turned on, for the errors found when the pipeline is lowered.
  train_stage parse_train(std::size_t& encoder_option_at) {
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
      if (option == "cod") {
        skip_space();
        double w = train_stage::default_cod_weight;
        if (at_ < text_.size() && text_[at_] != ')') w = real_number(option);
        apply(position, [&](const train_stage& s) { return s.cod(w); });
      } else if (option == "warm_start" || option == "linear_probe" || option == "probe_first" ||
                 option == "bf16") {
        skip_space();
        bool on = true;
        const auto value_at = at_;
        const auto value = identifier();
        if (value == "false") on = false;
        else if (!value.empty() && value != "true") {
          fail("AL003", fmt::format("{} takes true or false, found '{}'", option, value), value_at);
        }
        if ((option == "linear_probe" || option == "probe_first") && on) encoder_option_at = position;
        apply(position, [&](const train_stage& s) {
          return option == "warm_start"     ? s.warm_start(on)
                 : option == "linear_probe" ? s.linear_probe(on)
                 : option == "bf16"         ? s.bf16(on)
                                            : s.probe_first(on);
        });
      } else if (option == "schedule") {
        skip_space();
        const auto value_at = at_;
        const auto value = identifier();
        if (value.empty()) {
          fail("AL002", fmt::format("expected a schedule, {}", fmt::join(schedule_words(), ", ")),
               value_at);
        }
        const auto schedule = lr_schedule_named(value);
        if (!schedule) {
          fail("AL001", fmt::format("unknown schedule '{}'{}", value,
                                    suggestion(value, schedule_words())),
               value_at);
        }
        apply(position, [&](const train_stage& s) { return s.schedule(*schedule); });
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

  /// pretrain '(' simsiam | rotation ')' ('.' option '(' value ')')*
  pretrain_recipe parse_pretrain() {
    expect('(', "after pretrain");
    skip_space();
    const auto task_at = at_;
    const auto task = identifier();
    if (task == "simsiam" || task == "rotation") {
      expect(')', "to close pretrain(...)");
      return task == "simsiam" ? pretrain_options(al::pretrain(al::simsiam))
                               : pretrain_options(al::pretrain(al::rotation));
    }
    if (task.empty()) fail("AL002", "expected a pretext task, simsiam or rotation", task_at);
    if (find_word(task)) {
      fail_message(ALPIPE_AL028_PRETEXT_MESSAGE, task_at);
    }
    fail("AL001", fmt::format("unknown pretext task '{}'{}", task, suggestion(task, pretext_words())),
         task_at);
  }

  /// The options after pretrain(task), set through the typed stage's setters
  /// so that both front ends check them alike.
  template <class Task>
  pretrain_recipe pretrain_options(pretrain_stage<Task> stage) {
    while (accept('.')) {
      skip_space();
      const auto position = at_;
      const auto option = identifier();
      const bool simsiam_only = option == "projector" || option == "predictor";
      if constexpr (Task::task != pretext::simsiam) {
        if (simsiam_only) {
          fail("AL029", fmt::format(".{}(width) is an option of pretrain(simsiam) only: rotation "
                                    "trains a 4-way head, with no projector or predictor; remove "
                                    "the option", option), position);
        }
      }
      expect('(', fmt::format("after .{}", option));
      if (option == "epochs" || option == "batch_size" || simsiam_only) {
        const auto n = whole_number(option);
        report_at(position, [&] {
          if (option == "epochs") stage = stage.epochs(n);
          else if (option == "batch_size") stage = stage.batch_size(n);
          else if constexpr (Task::task == pretext::simsiam) {
            stage = option == "projector" ? stage.projector(n) : stage.predictor(n);
          }
        });
      } else if (option == "lr" || option == "weight_decay") {
        const auto x = real_number(option);
        report_at(position, [&] { stage = option == "lr" ? stage.lr(x) : stage.weight_decay(x); });
      } else {
        fail("AL001", fmt::format("unknown pretrain option '{}'{}", option,
                                  suggestion(option, pretrain_option_words())),
             position);
      }
      expect(')', fmt::format("to close .{}(...)", option));
    }
    return stage.recipe;
  }

  void lower(const std::vector<text_stage>& stages, plan_builder& builder) const {
    for (const auto& s : stages) {
      try {
        switch (s.kind) {
          case stage_kind::initial: builder.add_initial(s.selector, s.count); break;
          case stage_kind::query: builder.add_query(s.selector, s.count); break;
          case stage_kind::pretrain: builder.add_pretrain(s.pretrain); break;
          case stage_kind::train: builder.set_recipe(s.train.recipe); break;
          case stage_kind::cycle:
            // AL006, AL039, AL042: before the body is written out
            builder.begin_cycle(s.count, s.stop);
            for (std::int64_t i = 0; i < s.count; ++i) lower(s.body, builder);
            builder.end_cycle();
            break;
        }
      } catch (const parse_error&) {
        throw;
      } catch (const plan_error& e) {
        // A train stage can only fail on AL027 and AL035; point at its
        // .linear_probe() or .probe_first().
        // initial(...) and query(...) fail on their word (AL034, AL035).
        const auto at = s.kind == stage_kind::train ? s.encoder_option_position
                        : s.kind == stage_kind::initial || s.kind == stage_kind::query
                            ? s.selector_position
                            : s.position;
        throw parse_error(with_caret(e.what(), at), at);
      }
    }
  }
};

}  // namespace detail

plan parse(std::string_view text) { return detail::text_parser(text).parse(); }

std::optional<std::string> replace_query_strategies(std::string_view text,
                                                    std::string_view strategy) {
  detail::text_parser parser(text);
  parser.parse();
  const auto& spans = parser.query_strategy_spans();
  if (spans.empty()) return std::nullopt;
  std::string out;
  std::size_t copied = 0;
  for (const auto& [begin, end] : spans) {
    out.append(text.substr(copied, begin - copied));
    out.append(strategy);
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace al
