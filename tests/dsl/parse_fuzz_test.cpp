// The text front end under hostile input: every text ends in a plan or an
// al::parse_error with a numbered code, quickly, and never in another
// exception or a crash. A fixed corpus of mutants of valid pipelines (deep
// nesting, huge and odd numbers, truncations, byte flips, NUL and non-ASCII
// bytes) and a seeded generator of pipeline-like text run in every ctest.

#include <al/al.hpp>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <ctime>
#include <optional>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

namespace parse_fuzz_test {

using namespace al;

/// CPU time, not wall time: the bound is about the parser's own work and
/// must not fail because other processes share the machine.
constexpr double time_bound_ms = 100;

/// Valid pipelines covering every stage, option, word and combinator; the
/// mutants start from them.
const std::vector<std::string> valid_pipelines = {
    "initial(random, 100) | cycle(6, query(entropy, 100))",
    "train(sgd).lr(0.05).momentum(0.8).weight_decay(0.0001).warm_start() | initial(random, 10) | "
    "query(entropy, 5)",
    "initial(least_confidence, 10) | train.batch_size(64).lr(0.0003).epochs(3).min_steps(20) | "
    "cycle(3, query(random, 7) | train.epochs(9).warm_start(false)) | cycle(2, query(margin, 3))",
    "initial(random, 100) | cycle(3, query(mix(prefilter(least_confidence, 4) >> coreset, "
    "bald.passes(7), 0.5), 100))",
    "pretrain(simsiam).epochs(20).batch_size(128).lr(0.03).weight_decay(0.0001).projector(256)"
    ".predictor(64) | train.linear_probe() | initial(random, 100) | cycle(2, query(entropy, 50))",
    "pretrain(rotation).epochs(5).lr(0.1) | initial(pt4al(least_confidence), 20) | "
    "train.epochs(3).probe_first() | cycle(2, query(pt4al(bald.passes(5)), 20))",
    "initial(random, 100) | cycle(2, query(mix(balanced(margin), class_balanced(least_confidence, "
    "2.5), 0.5), 100))",
    "initial(random, 100) | train.cod(0.02) | cycle(3, query(tod, 100)) | cycle(1, query(badge, 10)) "
    "| query(prefilter(boundary, 2) >> prefilter(entropy, 3) >> coreset, 5) | query(mcdal, 5)",
};

/// What the corpus and the generator found, for the closing checks.
struct tally {
  int inputs = 0;
  int parsed = 0;
  int refused = 0;
  double slowest_ms = 0;
};

/// The input as a test report can show it: bytes outside printable ASCII
/// escaped, long inputs shortened.
std::string printable(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < 300; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += std::isprint(c) ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
  }
  if (out.size() >= 300) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

/// "AL" and three digits, a number alpipe gives (AL001 to AL040), then ": ".
bool starts_with_known_code(const std::string& message) {
  if (message.size() < 7 || message.compare(0, 2, "AL") != 0 || message.compare(5, 2, ": ") != 0) {
    return false;
  }
  for (int i = 2; i < 5; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(message[i]))) return false;
  }
  const int code = std::stoi(message.substr(2, 3));
  return code >= 1 && code <= 40;
}

/// What no plan the DSL builds can break, however it was written.
std::string broken_invariant(const plan& p) {
  if (p.cycles() < 0 || p.cycles() > limits::max_cycles) return "cycles out of bounds";
  const auto budget = p.label_budget();
  if (budget <= 0 || budget > limits::max_samples * (limits::max_cycles + 1)) {
    return fmt::format("label budget {}", budget);
  }
  for (const auto& s : p.steps) {
    if (const auto* select = std::get_if<select_step>(&s)) {
      if (select->count <= 0 || select->count > limits::max_samples) return "a query count out of bounds";
      if (detail::nesting_of(select->selector) > limits::max_nesting) return "a strategy nested too deeply";
      if (detail::words_of(select->selector) > limits::max_strategy_words) return "a strategy too large";
    }
  }
  return {};
}

/// Parses `text` and checks the contract.
void check_one(const std::string& text, tally& seen) {
  ++seen.inputs;
  std::optional<plan> p;
  std::string failure;
  const auto start = std::clock();
  try {
    p = parse(text);
  } catch (const parse_error& e) {
    if (!starts_with_known_code(e.what())) failure = fmt::format("unnumbered parse_error: {}", e.what());
    ++seen.refused;
  } catch (const std::exception& e) {
    failure = fmt::format("{} instead of al::parse_error: {}", typeid(e).name(), e.what());
  } catch (...) {
    failure = "an exception that is not a std::exception";
  }
  const double ms = 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  seen.slowest_ms = std::max(seen.slowest_ms, ms);
  if (ms > time_bound_ms) failure = fmt::format("parsing took {:.1f} ms of CPU time", ms);
  if (p) {
    ++seen.parsed;
    if (const auto broken = broken_invariant(*p); !broken.empty()) failure = "the plan has " + broken;
    // Parsing is a function of the text.
    else if (!(parse(text) == *p)) failure = "a second parse gives another plan";
  }
  if (!failure.empty()) {
    INFO("input: " << printable(text));
    FAIL_CHECK(failure);
  }
}

std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

/// Each combinator and cycle nested `depth` deep, closed and left open.
std::vector<std::string> deep_nesting() {
  struct shape {
    std::string_view head, open, middle, close, tail;
  };
  const std::vector<shape> shapes = {
      {"initial(random, 50) | cycle(1, query(", "mix(", "entropy", ", random, 0.5)", ", 10))"},
      {"initial(random, 50) | query(", "prefilter(", "entropy", ", 2) >> coreset", ", 10)"},
      {"initial(random, 50) | query(", "prefilter(entropy, 2) >> ", "coreset", "", ", 10)"},
      {"pretrain(rotation) | initial(", "pt4al(", "margin", ")", ", 10)"},
      {"initial(random, 50) | query(", "balanced(", "entropy", ")", ", 10)"},
      {"initial(random, 50) | query(", "class_balanced(", "entropy", ", 0.5)", ", 10)"},
      {"initial(random, 50) | ", "cycle(1, ", "query(entropy, 1)", ")", ""},
      {"initial(random, 50) | query(", "mix(balanced(", "entropy", "), random, 0.5)", ", 10)"},
  };
  std::vector<std::string> out;
  for (const auto& s : shapes) {
    for (const int depth : {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1000, 5000, 8000, 100000}) {
      const auto open = std::string(s.head) + repeat(s.open, depth);
      out.push_back(open + std::string(s.middle) + repeat(s.close, depth) + std::string(s.tail));
      out.push_back(open + std::string(s.middle));
      out.push_back(open);
    }
  }
  return out;
}

/// Numbers that overflow, underflow, are not numbers or sit on a limit.
const std::vector<std::string> odd_numbers = {
    "0", "1", "-1", "-0", "2", "0.5", "1.5", "10", "1000", "1000.5", "10000", "10001",
    "65536", "65537", "100000", "100001", "1000000", "1000001", "100000000", "1000000000",
    "1000000001", "2147483647", "2147483648", "4294967296", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "99999999999999999999999999999", "1e39", "1e308", "1.8e308", "1e400", "-1e400", "1e-400",
    "4.9e-324", "nan", "-nan", "NaN", "inf", "-inf", "infinity", "0x10", "1e", "e5", "+1", "--1",
    "1..2", "1_000", "", " ", "\xd9\xa1\xd9\xa2", "1\xff", std::string("1\0", 2),
};

/// Pipelines with one number to fill in, one for every numeric slot.
const std::vector<std::string> number_slots = {
    "initial(random, {})",
    "initial(random, 5) | query(entropy, {})",
    "initial(random, 5) | cycle({}, query(entropy, 1))",
    "initial(random, 5) | cycle({}, query(entropy, 1)) | cycle({}, query(margin, 1))",
    "initial(random, 5) | train.epochs({})",
    "initial(random, 5) | train.min_steps({})",
    "initial(random, 5) | train.batch_size({})",
    "initial(random, 5) | train.lr({})",
    "initial(random, 5) | train.weight_decay({})",
    "initial(random, 5) | train(sgd).momentum({})",
    "initial(random, 5) | train.cod({})",
    "initial(random, 5) | query(bald.passes({}), 5)",
    "pretrain(simsiam).epochs({}) | initial(random, 5)",
    "pretrain(simsiam).batch_size({}) | initial(random, 5)",
    "pretrain(rotation).lr({}) | initial(random, 5)",
    "pretrain(rotation).weight_decay({}) | initial(random, 5)",
    "pretrain(simsiam).projector({}) | initial(random, 5)",
    "pretrain(simsiam).predictor({}) | initial(random, 5)",
    "initial(random, 5) | query(prefilter(entropy, {}) >> coreset, 5)",
    "initial(random, 5) | query(mix(entropy, random, {}), 5)",
    "initial(random, 5) | query(class_balanced(entropy, {}), 5)",
};

std::string fill(std::string_view slot, const std::string& number) {
  std::string out;
  for (std::size_t i = 0; i < slot.size(); ++i) {
    if (slot.substr(i, 2) == "{}") {
      out += number;
      ++i;
    } else {
      out += slot[i];
    }
  }
  return out;
}

/// A random number generator whose output is fixed by the standard
/// (mt19937's), unlike the distributions'.
struct dice {
  std::mt19937 engine;
  std::size_t below(std::size_t n) { return n == 0 ? 0 : engine() % n; }
  bool one_in(std::size_t n) { return below(n) == 0; }
  template <class T>
  const T& pick(const std::vector<T>& from) { return from[below(from.size())]; }
};

/// Pieces a mutation inserts: punctuation, words, numbers, odd bytes.
const std::vector<std::string> pieces = {
    "(", ")", ",", "|", ">>", ">", ".", " ", "mix(", "cycle(1, ", "cycle(10000, ", "query(",
    "initial(", "train.", "pretrain(", "prefilter(", "balanced(", "pt4al(", "entropy", "coreset",
    ".passes(", "9223372036854775807", "-1", "0", "nan", "1e400", std::string(1, '\0'), "\xff",
    "\xc3\xa9", "\xe2\x80\x8b", "\t", "\n", "))))", "((((",
};

/// One random edit of `text`: a byte flipped, inserted or deleted, a piece
/// inserted, a span deleted or duplicated.
void mutate(std::string& text, dice& d) {
  const auto at = d.below(text.size() + 1);
  switch (d.below(6)) {
    case 0:
      if (!text.empty()) text[std::min(at, text.size() - 1)] = static_cast<char>(d.below(256));
      break;
    case 1: text.insert(at, 1, static_cast<char>(d.below(256))); break;
    case 2:
      if (at < text.size()) text.erase(at, 1);
      break;
    case 3: text.insert(at, d.pick(pieces)); break;
    case 4: text.erase(at, d.below(12)); break;
    case 5: {
      const auto span = text.substr(at, d.below(24));
      text.insert(d.below(text.size() + 1), span);
      break;
    }
  }
}

/// Pipeline-like text from the grammar, with odd numbers and wrong words
/// now and then, some of it nested past the limits.
struct generator {
  dice& d;

  std::string number() {
    if (d.one_in(10)) return d.pick(odd_numbers);
    return std::to_string(d.below(200) + 1);
  }
  std::string fraction() { return d.one_in(10) ? d.pick(odd_numbers) : fmt::format("0.{}", d.below(10)); }

  std::string strategy(int depth) {
    static const std::vector<std::string> words = {"random", "entropy", "margin", "least_confidence",
                                                   "bald", "boundary", "coreset", "badge", "mcdal",
                                                   "tod"};
    static const std::vector<std::string> wrong_words = {"entropi", "simsiam", "cycle", "query", ""};
    if (depth > 10 || d.below(3) != 0) {
      auto word = d.one_in(20) ? d.pick(wrong_words) : d.pick(words);
      if (word == "bald" && d.one_in(2)) word += ".passes(" + number() + ")";
      return word;
    }
    switch (d.below(5)) {
      case 0: return "mix(" + strategy(depth + 1) + ", " + strategy(depth + 1) + ", " + fraction() + ")";
      case 1:
        return "prefilter(" + strategy(depth + 1) + ", " + number() + ") >> " + strategy(depth + 1);
      case 2: return "pt4al(" + strategy(depth + 1) + ")";
      case 3: return "balanced(" + strategy(depth + 1) + ")";
      default: return "class_balanced(" + strategy(depth + 1) + ", " + fraction() + ")";
    }
  }

  std::string train() {
    static const std::vector<std::string> options = {"epochs", "min_steps", "batch_size", "lr",
                                                     "weight_decay", "momentum", "cod", "warm_start",
                                                     "linear_probe", "probe_first", "schedule",
                                                     "epoch"};
    std::string out = d.one_in(3) ? (d.one_in(2) ? "train(sgd)" : "train(adam)") : "train";
    for (std::size_t i = d.below(4); i > 0; --i) {
      const auto& option = d.pick(options);
      const bool flag = option == "warm_start" || option == "linear_probe" || option == "probe_first";
      const bool real = option == "lr" || option == "weight_decay" || option == "momentum" || option == "cod";
      if (option == "schedule") {
        static const std::vector<std::string> schedules = {"cosine", "step", "constant", "cosin", ""};
        out += ".schedule(" + d.pick(schedules) + ")";
        continue;
      }
      out += "." + option + "(" + (flag ? (d.one_in(3) ? "false" : "") : real ? fraction() : number()) + ")";
    }
    return out;
  }

  std::string stage(bool in_cycle) {
    switch (d.below(in_cycle ? 3 : 6)) {
      case 0:
      case 1: return "query(" + strategy(0) + ", " + number() + ")";
      case 2: return train();
      case 3: return "initial(" + strategy(0) + ", " + number() + ")";
      case 4: return "cycle(" + number() + ", " + body() + ")";
      default:
        return std::string(d.one_in(2) ? "pretrain(simsiam)" : "pretrain(rotation)") +
               (d.one_in(2) ? ".epochs(" + number() + ")" : "") +
               (d.one_in(3) ? ".projector(" + number() + ")" : "");
    }
  }

  std::string body() {
    std::string out = stage(true);
    for (std::size_t i = d.below(3); i > 0; --i) out += " | " + stage(true);
    return out;
  }

  std::string pipeline() {
    std::string out = d.one_in(4) ? "pretrain(rotation) | " : "";
    out += "initial(" + (d.one_in(4) ? strategy(0) : std::string("random")) + ", " + number() + ")";
    for (std::size_t i = d.below(5); i > 0; --i) out += " | " + stage(false);
    return out;
  }
};

TEST_CASE("the valid pipelines of the fuzz corpus parse", "[dsl][parse][fuzz]") {
  for (const auto& text : valid_pipelines) {
    INFO(text);
    CHECK_NOTHROW(parse(text));
  }
}

TEST_CASE("no text crashes, hangs or escapes as another exception: a fixed corpus",
          "[dsl][parse][fuzz]") {
  tally seen;
  SECTION("deep nesting of every combinator and of cycle") {
    for (const auto& text : deep_nesting()) check_one(text, seen);
  }
  SECTION("huge, negative and odd numbers in every numeric slot") {
    for (const auto& slot : number_slots) {
      for (const auto& number : odd_numbers) check_one(fill(slot, number), seen);
    }
  }
  SECTION("every truncation of the valid pipelines") {
    for (const auto& text : valid_pipelines) {
      for (std::size_t n = 0; n <= text.size(); ++n) check_one(text.substr(0, n), seen);
    }
    CHECK(seen.parsed >= static_cast<int>(valid_pipelines.size()));  // the untruncated ones at least
  }
  SECTION("every single-byte deletion, and a NUL, a 0xff and a UTF-8 letter at every position") {
    for (const auto& text : {valid_pipelines[3], valid_pipelines[4]}) {
      for (std::size_t i = 0; i < text.size(); ++i) {
        check_one(text.substr(0, i) + text.substr(i + 1), seen);
        for (const std::string odd : {std::string(1, '\0'), std::string("\xff"), std::string("\xc3\xa9")}) {
          check_one(text.substr(0, i) + odd + text.substr(i), seen);
        }
      }
    }
  }
  SECTION("every byte value alone and in a word") {
    for (int byte = 0; byte < 256; ++byte) {
      const std::string c(1, static_cast<char>(byte));
      check_one(c, seen);
      check_one("initial(rand" + c + "om, 10)", seen);
      check_one("initial(random, 1" + c + ")", seen);
    }
  }
  SECTION("long runs of one thing") {
    const std::string megabyte(1 << 20, 'a');
    check_one(megabyte, seen);                                  // an unknown stage
    check_one("initial(" + megabyte + ", 1)", seen);            // an unknown strategy
    check_one("initial(random, 1) | train." + megabyte + "(1)", seen);
    check_one("initial(random, " + std::string(1 << 20, '9') + ")", seen);
    check_one("initial(random, 1)" + repeat(" | query(entropy, 1)", 10001), seen);
    check_one(std::string(1 << 20, ' '), seen);
    check_one(std::string(1 << 16, '('), seen);
    check_one(repeat("initial(random, 1) | ", 1000), seen);
  }
}

TEST_CASE("no text crashes, hangs or escapes as another exception: seeded random inputs",
          "[dsl][parse][fuzz]") {
  dice d{std::mt19937(20240611)};
  generator make{d};
  tally seen;
  // Random pipelines from the grammar, as they are and mutated.
  for (int i = 0; i < 2000; ++i) {
    auto text = make.pipeline();
    check_one(text, seen);
    for (std::size_t edits = 1 + d.below(4); edits > 0; --edits) mutate(text, d);
    check_one(text, seen);
  }
  // The valid pipelines, mutated.
  for (int i = 0; i < 2000; ++i) {
    auto text = d.pick(valid_pipelines);
    for (std::size_t edits = 1 + d.below(3); edits > 0; --edits) mutate(text, d);
    check_one(text, seen);
  }
  INFO(seen.inputs << " inputs, " << seen.parsed << " parsed, slowest " << seen.slowest_ms << " ms");
  CHECK(seen.inputs == 6000);
  // Both outcomes are exercised, not only the errors.
  CHECK(seen.parsed > 300);
  CHECK(seen.refused > 3000);
}

}  // namespace parse_fuzz_test
