// The round trip of a person's labels: request.json out, answers in.

#include "atomic_file.hpp"
#include "folder_lock.hpp"
#include "bounded_read.hpp"
#include "label_file_detail.hpp"

#include <al/oracle/label_import.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace al {

namespace fs = std::filesystem;

fs::path query_folder(const fs::path& run_folder, int cycle) {
  return run_folder / fmt::format("query-{}", cycle);
}

fs::path imported_labels_file(const fs::path& run_folder, int cycle) {
  return run_folder / fmt::format("labels-cycle{}.csv", cycle);
}

void write_label_request(const fs::path& folder, const label_request& request) {
  nlohmann::ordered_json j;
  j["cycle"] = request.cycle;
  j["pool_size"] = request.pool_size;
  j["class_count"] = request.class_count;
  j["class_names"] = request.class_names;
  j["indices"] = request.query_indices;
  fs::create_directories(folder);
  oracle_detail::write_file_atomically(folder / "request.json", j.dump(2) + "\n");
}

namespace {

using oracle_detail::read_problem;

/// `folder` as an absolute path without "." or a trailing separator, so
/// that "run/query-3/", "." inside it and "run/query-3" agree on its name
/// and its parent.
fs::path normal_folder(const fs::path& folder) {
  auto normal = fs::absolute(folder.empty() ? fs::path(".") : folder).lexically_normal();
  if (!normal.has_filename() && normal.has_parent_path() && normal != normal.root_path())
    normal = normal.parent_path();
  return normal;
}

/// The cycle a folder named query-<cycle> (query_folder above) belongs to.
std::optional<long long> cycle_of_folder_name(const fs::path& folder) {
  const auto name = normal_folder(folder).filename().string();
  constexpr std::string_view prefix = "query-";
  if (!name.starts_with(prefix) || name.size() == prefix.size() || name.size() > prefix.size() + 9)
    return std::nullopt;
  long long cycle = 0;
  for (const char c : std::string_view(name).substr(prefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    cycle = cycle * 10 + (c - '0');
  }
  return cycle;
}

/// A whole number of type Integer, exactly: nlohmann would turn 3.7 into 3
/// and 2^32 into 0 without a word.
template <class Integer>
Integer whole_number(const nlohmann::json& value, std::string_view what) {
  const bool whole = value.is_number_integer();
  if (whole && value.is_number_unsigned() &&
      value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<Integer>::max()))
    return static_cast<Integer>(value.get<std::uint64_t>());
  if (whole && !value.is_number_unsigned()) {
    const auto number = value.get<std::int64_t>();
    if (number >= std::numeric_limits<Integer>::min() && number <= std::numeric_limits<Integer>::max())
      return static_cast<Integer>(number);
  }
  // A list or an object could be nested a million deep; a string, a megabyte.
  auto shown = value.is_array() ? std::string("a list")
               : value.is_object() ? std::string("an object")
                                   : value.dump();
  if (shown.size() > 40) shown = shown.substr(0, 40) + "…";
  throw std::invalid_argument(fmt::format("{} is {}, not a whole number from {} to {}", what,
                                          shown, std::numeric_limits<Integer>::min(),
                                          std::numeric_limits<Integer>::max()));
}

/// Parses JSON as deep as a request or a line of cycles.jsonl is (an object
/// of lists and objects): "[[[[…" a million deep is refused at once instead
/// of being parsed for seconds.
constexpr int deepest_json = 4;

nlohmann::json parse_shallow_json(std::string_view text) {
  return nlohmann::json::parse(
      text, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > deepest_json)
          throw std::invalid_argument(
              fmt::format("nested more than {} deep, deeper than alpipe writes", deepest_json));
        return true;
      });
}

label_request parse_label_request(std::string_view content, const fs::path& folder) {
  const auto j = parse_shallow_json(content);
  if (!j.is_object()) throw std::invalid_argument("it is not a JSON object");
  label_request request;
  request.cycle = whole_number<int>(j.at("cycle"), "cycle");
  request.pool_size = whole_number<std::int64_t>(j.at("pool_size"), "pool_size");
  request.class_count = whole_number<int>(j.at("class_count"), "class_count");
  request.class_names = j.at("class_names").get<std::vector<std::string>>();
  const auto& indices = j.at("indices");
  if (!indices.is_array()) throw std::invalid_argument("indices is not a list");
  request.query_indices.reserve(indices.size());
  for (const auto& index : indices)
    request.query_indices.push_back(whole_number<std::int64_t>(index, "an index"));
  if (request.cycle < 0)
    throw std::invalid_argument(fmt::format("cycle is {}", request.cycle));
  if (request.pool_size < 0)
    throw std::invalid_argument(fmt::format("pool_size is {}", request.pool_size));
  if (const auto named = cycle_of_folder_name(folder); named && *named != request.cycle)
    throw std::invalid_argument(fmt::format("it asks for cycle {}, but its folder is {}",
                                            request.cycle,
                                            normal_folder(folder).filename().string()));
  // What read_label_file would refuse as a programming error is, here, a
  // file that was edited or damaged.
  if (const auto problem = oracle_detail::label_request_problem(request); !problem.empty())
    throw std::invalid_argument(problem);
  return request;
}

}  // namespace

label_request read_label_request(const fs::path& folder) {
  const auto file = folder / "request.json";
  const auto rerun = "delete the query folder and rerun the run to write it again";
  auto read = oracle_detail::read_file_bounded(file, label_request_size_limit);
  switch (read.problem) {
    case read_problem::none:
      break;
    case read_problem::missing:
    case read_problem::dangling_link:
      throw std::runtime_error(fmt::format(
          "{} is missing: the label file must lie in the query folder a run wrote (or name that "
          "folder); rerun the run to write its query again",
          file.string()));
    case read_problem::folder:
    case read_problem::not_regular:
      throw std::runtime_error(
          fmt::format("{} is {}; {}", file.string(), read.detail, rerun));
    case read_problem::unreadable:
      throw std::runtime_error(fmt::format("cannot read {} ({}); check that you may read it",
                                           file.string(), read.detail));
    case read_problem::too_large:
      throw std::runtime_error(fmt::format(
          "{} is larger than {}, more than the request of any query a run writes; {}",
          file.string(), oracle_detail::readable_size(label_request_size_limit), rerun));
  }
  try {
    return parse_label_request(read.content, folder);
  } catch (const std::exception& e) {  // nlohmann's and the checks above
    throw std::runtime_error(
        fmt::format("{} is damaged ({}); {}", file.string(), e.what(), rerun));
  }
}

namespace {

/// The answers as the engine keeps them: the header, then index,label rows
/// with class numbers, in query order.
std::string answers_csv(const std::vector<labelled_sample>& answers) {
  std::ostringstream out;
  out << "index,label\n";
  for (const auto& a : answers) out << a.index << ',' << a.label << '\n';
  return out.str();
}

/// What cycles.jsonl says about one cycle.
struct recorded_cycle {
  bool finished = false;  // a complete line holds the cycle
  int line = 0;           // that line (1-based)
  std::optional<std::vector<labelled_sample>> answers;  // nullopt: none to compare with
  std::string why_not_comparable;
};

/// `{"cycle":3,` at the start of a line, as results_folder writes it; the
/// rest of a long line need not be parsed to know its cycle.
std::optional<long long> leading_cycle(std::string_view line) {
  const auto skip_blanks = [&] {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  };
  const auto expect = [&](std::string_view word) {
    skip_blanks();
    if (!line.starts_with(word)) return false;
    line.remove_prefix(word.size());
    return true;
  };
  if (!expect("{") || !expect("\"cycle\"") || !expect(":")) return std::nullopt;
  skip_blanks();
  const bool negative = expect("-");
  std::size_t digits = 0;
  long long cycle = 0;
  while (digits < line.size() && digits < 12 && line[digits] >= '0' && line[digits] <= '9')
    cycle = cycle * 10 + (line[digits++] - '0');
  if (digits == 0 || digits == 12) return std::nullopt;
  line.remove_prefix(digits);
  skip_blanks();
  if (line.empty() || (line.front() != ',' && line.front() != '}')) return std::nullopt;
  return negative ? -cycle : cycle;
}

[[noreturn]] void cannot_tell(const fs::path& file, int line, const std::string& problem,
                              int cycle) {
  throw std::runtime_error(fmt::format(
      "{}{}: {}; the import cannot tell whether cycle {} is finished, so it changes nothing. The "
      "run itself will not continue from this folder either: move it away and run again",
      file.string(), line > 0 ? fmt::format(":{}", line) : std::string(), problem, cycle));
}

/// Reads `<run>/cycles.jsonl` a chunk at a time (it grows with every cycle
/// and a line holds a whole query), keeping only lines short enough to be
/// this request's. A last line without its newline was cut off by a kill:
/// that cycle is not finished, as the run itself decides.
recorded_cycle find_recorded_cycle(const fs::path& run_folder, const label_request& request) {
  const auto file = run_folder / "cycles.jsonl";
  oracle_detail::read_result opened;
  const int fd = oracle_detail::open_regular_file(file, opened);
  if (fd < 0) {
    if (opened.problem == read_problem::missing) return {};
    cannot_tell(file, 0,
                opened.problem == read_problem::unreadable
                    ? fmt::format("cannot read the file ({})", opened.detail)
                : opened.problem == read_problem::dangling_link
                    ? std::string("a link to a file that does not exist")
                    : fmt::format("this is {}", opened.detail),
                request.cycle);
  }
  // Room for the queried indices and labels (a small part of a label file's
  // ceiling per index) and the per-class figures.
  const std::size_t line_limit = label_file_size_limit(request) +
                                 64 * static_cast<std::size_t>(std::max(request.class_count, 0));
  recorded_cycle found;
  std::string line;
  bool line_too_long = false;
  int number = 0;
  const auto examine = [&] {
    ++number;
    std::optional<long long> cycle = leading_cycle(line);
    nlohmann::json parsed;
    try {
      if (!line_too_long && (!cycle || *cycle == request.cycle)) {
        parsed = parse_shallow_json(line);
        cycle = whole_number<int>(parsed.at("cycle"), "cycle");
      }
    } catch (const std::exception& e) {
      cannot_tell(file, number, fmt::format("the line is damaged ({})", e.what()), request.cycle);
    }
    if (!cycle)
      cannot_tell(file, number, "a line too long to read that does not start with its cycle",
                  request.cycle);
    if (*cycle != request.cycle) return;
    found = {true, number, std::nullopt, {}};
    if (line_too_long) {
      found.why_not_comparable = "a line longer than this query's could be";
      return;
    }
    if (!parsed.contains("labels")) {
      found.why_not_comparable = "a line without the answers (written before they were recorded)";
      return;
    }
    try {
      const auto& queried = parsed.at("queried");
      const auto& labels = parsed.at("labels");
      if (!queried.is_array() || !labels.is_array() || queried.size() != labels.size())
        throw std::invalid_argument("queried and labels are not two lists of one length");
      std::vector<labelled_sample> answers;
      for (std::size_t i = 0; i < queried.size(); ++i)
        answers.push_back({whole_number<std::int64_t>(queried[i], "an index"),
                           whole_number<int>(labels[i], "a label")});
      found.answers = std::move(answers);
    } catch (const std::exception& e) {
      cannot_tell(file, number, fmt::format("the line is damaged ({})", e.what()), request.cycle);
    }
  };
  std::string chunk(std::size_t{1} << 16, '\0');
  while (true) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error_number = errno;
      ::close(fd);
      cannot_tell(file, 0, fmt::format("cannot read the file ({})", std::strerror(error_number)),
                  request.cycle);
    }
    if (got == 0) break;
    std::string_view rest(chunk.data(), static_cast<std::size_t>(got));
    while (!rest.empty()) {
      const auto end = rest.find('\n');
      const auto piece = rest.substr(0, end);
      if (!line_too_long && line.size() + piece.size() > line_limit) {
        line_too_long = true;
        // Enough of the start to read the cycle from.
        constexpr std::size_t start_kept = 4096;
        if (line.size() < start_kept) line.append(piece.substr(0, start_kept - line.size()));
      } else if (!line_too_long) {
        line.append(piece);
      }
      if (end == std::string_view::npos) break;
      try {
        examine();
      } catch (...) {
        ::close(fd);
        throw;
      }
      line.clear();
      line_too_long = false;
      rest.remove_prefix(end + 1);
    }
  }
  ::close(fd);
  return found;
}

/// "9 (Ankle boot)" or "9".
std::string class_shown(const label_request& request, int label) {
  if (label >= 0 && static_cast<std::size_t>(label) < request.class_names.size())
    return fmt::format("{} ({})", label, request.class_names[static_cast<std::size_t>(label)]);
  return std::to_string(label);
}

[[noreturn]] void refuse_finished(const fs::path& label_file, const fs::path& run_folder,
                                  const label_request& request,
                                  const oracle_detail::checked_label_file& checked,
                                  const recorded_cycle& recorded) {
  const auto where = fmt::format("{} line {}", (run_folder / "cycles.jsonl").string(),
                                 recorded.line);
  const auto what_to_do = fmt::format(
      "the labels of a finished query cannot change. Leave {} as it is to keep this run; to "
      "label the pool differently, start a new run in another folder (alpipe run ... --out "
      "OTHER, or config.run_name)",
      imported_labels_file(run_folder, request.cycle).string());
  const auto& answers = checked.samples;
  const bool same_indices =
      recorded.answers && recorded.answers->size() == answers.size() &&
      std::equal(answers.begin(), answers.end(), recorded.answers->begin(),
                 [](const auto& a, const auto& b) { return a.index == b.index; });
  if (!same_indices) {
    throw label_file_error(
        label_file, 0,
        fmt::format("cycle {}'s query is finished: the run has trained on the answers recorded "
                    "in {}{}, and this file's answers are not those; {}",
                    request.cycle, where,
                    recorded.why_not_comparable.empty()
                        ? std::string(" (for other indices than this query's)")
                        : fmt::format(" ({})", recorded.why_not_comparable),
                    what_to_do));
  }
  std::size_t first = answers.size(), changed = 0;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].label == (*recorded.answers)[i].label) continue;
    if (changed++ == 0) first = i;
  }
  throw label_file_error(
      label_file, checked.lines[first],
      fmt::format("cycle {}'s query is finished: the run has trained on its answers (recorded in "
                  "{}), and this file changes {} of them (index {}: {} there, {} here); {}",
                  request.cycle, where, changed, answers[first].index,
                  class_shown(request, (*recorded.answers)[first].label),
                  class_shown(request, answers[first].label), what_to_do));
}

}  // namespace

import_result import_answers(const fs::path& label_file, const fs::path& folder_of_query) {
  const auto folder = folder_of_query.empty() ? label_file.parent_path() : folder_of_query;
  const auto request = read_label_request(folder.empty() ? fs::path(".") : folder);
  const auto checked = oracle_detail::read_checked_label_file(label_file, request);
  // The query folder lies in its run's folder (query_folder above).
  const auto run_folder = normal_folder(folder).parent_path();
  // Not while a run works in the folder: it may be reading these answers,
  // and would record the old ones. (A run made run.lock when it started; a
  // folder without one never had a run to race with.)
  std::optional<oracle_detail::folder_lock> run_lock;
  if (fs::exists(run_folder / "run.lock")) {
    run_lock.emplace(run_folder / "run.lock", fmt::format("the run folder {}", run_folder.string()),
                     oracle_detail::folder_lock::when_held::fail,
                     "; import the labels once it has stopped");
  }

  import_result result;
  result.answers = checked.samples;
  result.cycle = request.cycle;
  result.label_file = label_file;
  result.answers_file = imported_labels_file(run_folder, request.cycle);

  // The engine reads labels-cycle<N>.csv when it reaches cycle N's query
  // and records the answers in cycles.jsonl when the cycle ends; a kill
  // before that reruns the cycle from the file. So until the line exists
  // the file may still change; after it, cycles.jsonl is what the model was
  // trained on and the file must keep agreeing with it.
  const auto recorded = find_recorded_cycle(run_folder, request);
  if (recorded.finished) {
    result.cycle_finished = true;
    if (recorded.answers && *recorded.answers == result.answers) {
      result.outcome = import_outcome::unchanged;
      return result;
    }
    refuse_finished(label_file, run_folder, request, checked, recorded);
  }

  const auto content = answers_csv(result.answers);
  const auto before = oracle_detail::read_file_bounded(result.answers_file, content.size());
  if (before.problem == read_problem::none && before.content == content) {
    result.outcome = import_outcome::unchanged;
    return result;
  }
  result.outcome = before.problem == read_problem::missing ||
                           before.problem == read_problem::dangling_link
                       ? import_outcome::stored
                       : import_outcome::replaced;
  oracle_detail::write_file_atomically(result.answers_file, content);
  return result;
}

std::string describe(const import_result& result) {
  const auto labels = fmt::format("{} label{} of cycle {}", result.answers.size(),
                                  result.answers.size() == 1 ? "" : "s", result.cycle);
  constexpr std::string_view next = "run the same command again to continue the run";
  switch (result.outcome) {
    case import_outcome::stored:
      return fmt::format("{} imported from {}; {}", labels, result.label_file.string(), next);
    case import_outcome::replaced:
      return fmt::format("{} imported from {}, replacing the answers imported before ({}); {}",
                         labels, result.label_file.string(), result.answers_file.string(), next);
    case import_outcome::unchanged:
      if (result.cycle_finished)
        return fmt::format("{} holds the {} the run has already trained on; nothing changed",
                           result.label_file.string(), labels);
      return fmt::format("{} holds the same {} as imported before ({}); nothing changed, {}",
                         result.label_file.string(), labels, result.answers_file.string(), next);
  }
  return {};
}

std::vector<labelled_sample> import_labels(const fs::path& label_file,
                                           const fs::path& folder_of_query) {
  return import_answers(label_file, folder_of_query).answers;
}

std::optional<std::vector<labelled_sample>> imported_labels(const fs::path& run_folder,
                                                            const label_request& request) {
  const auto file = imported_labels_file(run_folder, request.cycle);
  if (!fs::exists(file)) return std::nullopt;
  return read_label_file(file, request);
}

}  // namespace al
