// Reading the label file a person filled in. The file is read whole (with
// a ceiling: see label_file_size_limit), split into lines, then checked row
// by row, so that the first problem in file order is the one reported and
// the message can still count what else is unfinished (how many rows are
// unlabelled). Nothing is returned unless every row is right: a
// half-applied file would leave the pool in a state no one chose.

#include <al/oracle/label_file.hpp>

#include "bounded_read.hpp"
#include "label_file_detail.hpp"

#include <al/detail/nearest_word.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace al {

label_file_error::label_file_error(std::filesystem::path file, int line,
                                   const std::string& message)
    : std::runtime_error(line > 0 ? fmt::format("{}:{}: {}", file.string(), line, message)
                                  : fmt::format("{}: {}", file.string(), message)),
      file_(std::move(file)),
      line_(line) {}

namespace {

constexpr std::string_view expected_header = "index,label";
constexpr std::size_t shown_indices = 5;  // "first few" in messages

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <class Integer>
std::optional<Integer> parse_integer(std::string_view text) {
  Integer value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) return {};
  return value;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// "40", "007": ASCII digits only, nothing else.
bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

/// "-1", "-0012": a minus sign and digits.
bool is_negative_integer(std::string_view text) {
  return text.size() >= 2 && text.front() == '-' && is_digits(text.substr(1));
}

// A label a person meant as a number: "3.0", "+3", "1e2", "0x3", "1 000".
// Starts like a number and holds nothing a number could not hold, so that a
// name such as "3 Dress" still gets the did-you-mean of a class name.
bool looks_numeric(std::string_view text) {
  auto body = text;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) body.remove_prefix(1);
  const bool starts_like_a_number =
      !body.empty() && (is_digit(body.front()) ||
                        (body.front() == '.' && body.size() > 1 && is_digit(body[1])));
  return starts_like_a_number &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return is_digit(c) || (c != '\0' && std::strchr("+-.,_' xXabcdefABCDEF", c) != nullptr);
         });
}

/// The class number a numeric-looking label spells, when it is a whole
/// number in [0, K): "3.0" and "+3" are 3. Nothing for "0x3" or "3.5".
std::optional<int> number_meant(std::string_view text, int class_count) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) ||
      value != std::floor(value) || value < 0 || value >= class_count)
    return {};
  return static_cast<int>(value);
}

// What a person wrote, as a message quotes it: a line of a megabyte must not
// bury the message, so long text is cut (at a UTF-8 character boundary).
constexpr std::size_t shown_characters = 40;

std::string shown(std::string_view text) {
  if (text.size() <= shown_characters) return std::string(text);
  std::size_t cut = shown_characters;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}… ({} bytes)", text.substr(0, cut), text.size());
}

// A byte no text file holds: a NUL (a UTF-16 or binary file), a carriage
// return inside a line (lines ended by CR alone), another control character.
std::string control_character_problem(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7F) continue;
    if (c == '\t') continue;
    if (c == '\r')
      return fmt::format("a carriage return (CR) at byte {} inside the line: the file ends its "
                         "lines with CR alone; save it with LF or CRLF line ends",
                         i + 1);
    constexpr std::string_view fix =
        "the file is not plain text: save it as CSV (UTF-8) or start again from the template "
        "query.csv";
    if (c == 0) return fmt::format("a NUL byte at byte {} of the line; {}", i + 1, fix);
    return fmt::format("the control character 0x{:02X} at byte {} of the line; {}", c, i + 1,
                       fix);
  }
  return {};
}

/// "12, 40, 7, 3, 9 and 35 more"
template <class Range>
std::string first_few(const Range& values, std::size_t total) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& value : values) {
    if (shown == shown_indices) break;
    out += shown == 0 ? fmt::format("{}", value) : fmt::format(", {}", value);
    ++shown;
  }
  if (total > shown) out += fmt::format(" and {} more", total - shown);
  return out;
}

// One line of the file, split into fields. A line that cannot be split (an
// unclosed quote) keeps its problem for later, so that an earlier line's
// problem is still the one reported.
struct csv_line {
  int number = 0;  // 1-based
  std::string text;
  std::vector<std::string> fields;
  std::string split_problem;
};

// Splits on commas, trims spaces around each field and unquotes "…" fields
// (a spreadsheet may quote a class name; "" inside is one quote).
csv_line split_line(int number, std::string_view text) {
  csv_line line{number, std::string(text), {}, {}};
  line.split_problem = control_character_problem(text);
  if (!line.split_problem.empty()) return line;
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && is_blank(text[i])) ++i;
    std::string field;
    if (i < text.size() && text[i] == '"') {
      bool closed = false;
      for (++i; i < text.size(); ++i) {
        if (text[i] != '"') {
          field += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          closed = true;
          ++i;
          break;
        }
      }
      if (!closed) {
        line.split_problem =
            "a quoted field has no closing quote; close it with \" or remove the opening quote";
        return line;
      }
      while (i < text.size() && is_blank(text[i])) ++i;
      if (i < text.size() && text[i] != ',') {
        line.split_problem = fmt::format(
            "text after the closing quote of \"{}\"; put the whole field inside the quotes",
            shown(field));
        return line;
      }
    } else {
      const auto comma = text.find(',', i);
      const auto end = comma == std::string_view::npos ? text.size() : comma;
      field = std::string(trim(text.substr(i, end - i)));
      i = end;
    }
    line.fields.push_back(std::move(field));
    if (i >= text.size()) break;
    ++i;  // past the comma
  }
  return line;
}

std::string read_whole_file(const std::filesystem::path& file, const label_request& request) {
  using oracle_detail::read_problem;
  const auto limit = label_file_size_limit(request);
  auto read = oracle_detail::read_file_bounded(file, limit);
  switch (read.problem) {
    case read_problem::none:
      break;
    case read_problem::missing:
      throw label_file_error(file, 0,
                             "no such file; check the path (the query folder holds the label "
                             "template query.csv)");
    case read_problem::dangling_link:
      throw label_file_error(file, 0,
                             "this is a link to a file that does not exist; give the path of the "
                             "filled-in query.csv itself");
    case read_problem::folder:
      throw label_file_error(file, 0,
                             "this is a folder, not a label file; give the path of the query.csv "
                             "inside it");
    case read_problem::not_regular:
      throw label_file_error(
          file, 0,
          fmt::format("this is {}; give the path of the filled-in query.csv", read.detail));
    case read_problem::unreadable:
      throw label_file_error(
          file, 0,
          fmt::format("cannot read the file ({}); check that you may read it", read.detail));
    case read_problem::too_large:
      throw label_file_error(
          file, 0,
          fmt::format("the file is larger than {} ({} bytes), the most a label file for cycle "
                      "{}'s {} queried indices may hold (1 MiB and 1 KiB per index); it is not a "
                      "filled-in query.csv: give the path of the query folder's query.csv",
                      oracle_detail::readable_size(limit), limit, request.cycle,
                      request.query_indices.size()));
  }
  // Before the lines are split: a UTF-16 file would otherwise be "a NUL
  // byte on line 1", true but not what to do.
  const std::string_view content = read.content;
  if (content.starts_with("\xFF\xFE") || content.starts_with("\xFE\xFF"))
    throw label_file_error(file, 0,
                           "the file is UTF-16 text (a spreadsheet's \"Unicode text\"); save "
                           "it as CSV (UTF-8) instead");
  return std::move(read.content);
}

// The header and the rows worth checking, and counts over the whole file.
// A file with more rows than the query has a problem among its first
// (query size + 1) rows — each is a wrong row or a different query index —
// so only those are kept: a file of millions of rows costs no more memory
// than the query.
struct label_lines {
  std::vector<csv_line> lines;  // the header first
  std::size_t data_rows = 0;    // after the header, trailing blank lines not counted
  std::size_t unlabelled = 0;   // rows "index," (an index and no label)
  std::vector<std::string> first_unlabelled;  // their indices, the first few
};

// Lines without their end (LF or CRLF), the byte order mark a spreadsheet
// may write dropped, and trailing blank lines dropped.
label_lines split_lines(std::string_view content, std::size_t query_rows) {
  constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";
  if (content.starts_with(byte_order_mark)) content.remove_prefix(byte_order_mark.size());
  const auto last = content.find_last_not_of(" \t\r\n");
  content = last == std::string_view::npos ? std::string_view{} : content.substr(0, last + 1);
  const std::size_t kept_lines = query_rows + 2;
  label_lines out;
  int number = 0;
  while (!content.empty()) {
    const auto end = content.find('\n');
    auto text = content.substr(0, end);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    auto line = split_line(++number, text);
    if (number > 1) {
      ++out.data_rows;
      if (line.split_problem.empty() && line.fields.size() == 2 && line.fields[1].empty() &&
          !line.fields[0].empty()) {
        if (out.first_unlabelled.size() < shown_indices)
          out.first_unlabelled.push_back(shown(line.fields[0]));
        ++out.unlabelled;
      }
    }
    if (out.lines.size() < kept_lines) out.lines.push_back(std::move(line));
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
  }
  return out;
}

std::string numbered_class_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t k = 0; k < names.size(); ++k)
    out += fmt::format("{}{} {}", k == 0 ? "" : ", ", k, names[k]);
  return out;
}

std::string class_choices(const label_request& request) {
  const int last = request.class_count - 1;
  if (request.class_names.empty()) return fmt::format("a class number from 0 to {}", last);
  // A long list would bury the message; README.txt in the query folder has it.
  if (request.class_names.size() > 20)
    return fmt::format("a class number from 0 to {} or a class name (README.txt lists them)",
                       last);
  return fmt::format("a class number from 0 to {} or a class name ({})", last,
                     numbered_class_list(request.class_names));
}

// The class names a misspelt one was probably meant to be: the same but for
// case, the start of a name ("T-shirt" for "T-shirt/top"), or a few letters off.
std::vector<std::string> close_class_names(std::string_view label,
                                           const std::vector<std::string>& names) {
  const auto label_lower = lower(label);
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const auto& name : names) {
    const auto name_lower = lower(name);
    // The distance is at least the difference in length: a label far longer
    // than the name (a pasted paragraph) is not worth the quadratic count.
    const auto length_difference = label.size() > name.size() ? label.size() - name.size()
                                                              : name.size() - label.size();
    std::size_t rank = length_difference > std::max<std::size_t>(1, label.size() / 3)
                           ? length_difference
                           : detail::edit_distance(label, name);
    if (name_lower == label_lower) {
      rank = 0;
    } else if (label_lower.size() >= 2 && (name_lower.starts_with(label_lower) ||
                                           label_lower.starts_with(name_lower))) {
      rank = 1;
    } else if (rank > std::max<std::size_t>(1, label.size() / 3)) {
      continue;
    }
    ranked.emplace_back(rank, name);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) out.push_back(ranked[i].second);
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += fmt::format("{}'{}'", i == 0 ? "" : (i + 1 == names.size() ? " or " : ", "),
                       names[i]);
  return out;
}

void check_request(const label_request& request) {
  const auto problem = oracle_detail::label_request_problem(request);
  if (!problem.empty())
    throw std::invalid_argument(fmt::format(
        "read_label_file: {}; the request must describe the query as the engine asked it",
        problem));
}

void check_header(const std::filesystem::path& file, const csv_line& header) {
  const auto fail = [&](const std::string& problem) {
    throw label_file_error(file, header.number,
                           fmt::format("{}; the first line must be exactly: {}", problem,
                                       expected_header));
  };
  if (!header.split_problem.empty()) fail(header.split_problem);
  const auto& fields = header.fields;
  if (fields.size() == 2 && fields[0] == "index" && fields[1] == "label") return;

  const auto text = shown(trim(header.text));
  if (fields.size() == 1 && (text.find(';') != std::string::npos ||
                             text.find('\t') != std::string::npos))
    fail(fmt::format("the header '{}' is not separated by commas; save the file as CSV with "
                     "',' as the separator (not ';' or tab)",
                     text));
  if (fields.size() == 2 && fields[0] == "label" && fields[1] == "index")
    fail("the columns are in the wrong order (label before index); put index first");
  if (fields.size() == 2 && lower(fields[0]) == "index" && lower(fields[1]) == "label")
    fail(fmt::format("the header '{}' must be lower case", text));
  if (fields.size() > 2 && fields[0] == "index" && fields[1] == "label")
    fail(fmt::format("extra column '{}' in the header; delete every column after label",
                     shown(fields[2])));
  if (fields.size() == 1 && (fields[0] == "index" || fields[0] == "label"))
    fail(fmt::format("the header has only the column '{}'; the file needs both columns",
                     fields[0]));
  if (!fields.empty() && parse_integer<std::int64_t>(fields[0]))
    fail(fmt::format("the header is missing ('{}' looks like a row); add the header line "
                     "above the rows",
                     text));
  fail(fmt::format("wrong header '{}'", text));
}

}  // namespace

namespace oracle_detail {

std::string label_request_problem(const label_request& request) {
  if (request.class_count < 1)
    return fmt::format("class_count is {}; there must be at least one class",
                       request.class_count);
  if (!request.class_names.empty() &&
      request.class_names.size() != static_cast<std::size_t>(request.class_count))
    return fmt::format("{} class names for {} classes; there must be one name per class or none",
                       request.class_names.size(), request.class_count);
  for (const auto index : request.query_indices)
    if (index < 0 || index >= request.pool_size)
      return fmt::format("query index {} lies outside the pool of {}", index, request.pool_size);
  // Two rows could not both be the answer for an index asked twice.
  std::unordered_map<std::int64_t, std::size_t> seen;
  for (std::size_t i = 0; i < request.query_indices.size(); ++i) {
    const auto [first, fresh] = seen.emplace(request.query_indices[i], i);
    if (!fresh)
      return fmt::format("query index {} is asked twice (positions {} and {})",
                         request.query_indices[i], first->second, i);
  }
  return {};
}

checked_label_file read_checked_label_file(const std::filesystem::path& file,
                                           const label_request& request) {
  check_request(request);
  const auto content = read_whole_file(file, request);
  const auto split = split_lines(content, request.query_indices.size());
  const auto& lines = split.lines;
  if (lines.empty())
    throw label_file_error(file, 0,
                           fmt::format("the file is empty; it needs the header '{}' and one row "
                                       "per query index (start from the template query.csv)",
                                       expected_header));
  check_header(file, lines.front());

  // Where each query index is asked.
  std::unordered_map<std::int64_t, std::size_t> query_position;
  for (std::size_t i = 0; i < request.query_indices.size(); ++i)
    query_position.emplace(request.query_indices[i], i);
  const auto data_rows = split.data_rows;
  const auto& names = request.class_names;

  std::vector<std::optional<int>> label_of(request.query_indices.size());
  std::vector<int> line_of(request.query_indices.size(), 0);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& line = lines[i];
    const auto fail = [&](const std::string& message) {
      throw label_file_error(file, line.number, message);
    };
    if (trim(line.text).empty())
      fail("the line is empty; delete it (blank lines are allowed only at the end)");
    if (!line.split_problem.empty()) fail(line.split_problem);
    if (line.fields.size() != 2) {
      const bool other_separator = line.text.find(';') != std::string::npos ||
                                   line.text.find('\t') != std::string::npos;
      fail(fmt::format("the row '{}' has {} field{}, expected 2 (index,label); {}",
                       shown(trim(line.text)), line.fields.size(),
                       line.fields.size() == 1 ? "" : "s",
                       other_separator
                           ? "separate the fields with ',' (not ';' or tab)"
                           : "write the pool index, one comma and the label — a class name "
                             "with a comma goes in double quotes"));
    }

    const auto& index_text = line.fields[0];
    const auto& label_text = line.fields[1];
    if (index_text.empty())
      fail("the index is empty; every row starts with the pool index from the template "
           "query.csv");
    const auto index = parse_integer<std::int64_t>(index_text);
    const auto unknown_index = [&](std::string_view written) {
      fail(fmt::format("unknown index {}: the pool has indices 0 to {}; keep the index column "
                       "as the template query.csv wrote it",
                       written, request.pool_size - 1));
    };
    // Digits too many for any integer are still an index, one outside the pool.
    if (!index && (is_digits(index_text) || is_negative_integer(index_text)))
      unknown_index(shown(index_text));
    if (!index)
      fail(fmt::format("the index '{}' is not an integer; keep the index column as the "
                       "template query.csv wrote it (whole numbers, no decimals)",
                       shown(index_text)));
    if (*index < 0 || *index >= request.pool_size) unknown_index(std::to_string(*index));
    const auto asked = query_position.find(*index);
    if (asked == query_position.end())
      fail(fmt::format("index {} is not in cycle {}'s query; delete the row or correct the "
                       "index (the template query.csv lists the {} indices asked)",
                       *index, request.cycle, request.query_indices.size()));
    const auto position = asked->second;
    if (line_of[position] != 0)
      fail(fmt::format("index {} appears twice, on lines {} and {}; keep one of the two rows",
                       *index, line_of[position], line.number));
    line_of[position] = line.number;

    if (label_text.empty())
      fail(fmt::format("index {} has no label; {} of {} row{} still unlabelled (indices {}); "
                       "fill in {} for each, then import again",
                       *index, split.unlabelled, data_rows, data_rows == 1 ? " is" : "s are",
                       first_few(split.first_unlabelled, split.unlabelled),
                       class_choices(request)));

    // A label of digits only is a class number, always (leading zeros are
    // decimal: 03 is 3), so that a file means the same whatever the names.
    if (is_digits(label_text) || is_negative_integer(label_text)) {
      const auto number = parse_integer<std::int64_t>(label_text);
      const bool negative_zero = number && *number == 0 && label_text.front() == '-';
      if (!negative_zero) {
        if (!number || *number < 0 || *number >= request.class_count)
          fail(fmt::format("label {} of index {} is out of range{}; use {}", shown(label_text),
                           *index,
                           number && *number == request.class_count
                               ? " (class numbers start at 0)"
                               : "",
                           class_choices(request)));
        const auto class_number = static_cast<int>(*number);
        // A name that is another class's number ("1" naming class 0) would
        // make the file mean two things.
        const auto named = std::find(names.begin(), names.end(), label_text);
        if (named != names.end() && named - names.begin() != class_number)
          fail(fmt::format("label {} of index {} is ambiguous: class number {} is '{}', but "
                           "'{}' is also the name of class {}; write the other class's number, "
                           "{}, if you meant that one (a label of digits is read as a number)",
                           label_text, *index, class_number, names[class_number], label_text,
                           named - names.begin(), named - names.begin()));
        label_of[position] = class_number;
        continue;
      }
    }

    const auto named = std::find(names.begin(), names.end(), label_text);
    if (named != names.end()) {
      const auto again = std::find(named + 1, names.end(), label_text);
      if (again != names.end())
        fail(fmt::format("class name '{}' of index {} is ambiguous: classes {} and {} have this "
                         "name; write the class number instead",
                         label_text, *index, named - names.begin(), again - names.begin()));
      label_of[position] = static_cast<int>(named - names.begin());
      continue;
    }
    if (looks_numeric(label_text)) {
      const auto meant = number_meant(label_text, request.class_count);
      fail(fmt::format("label '{}' of index {} is not a valid class number: a class number is "
                       "a whole number written with digits only (no sign, decimal point, "
                       "exponent or hex){}; use {}",
                       shown(label_text), *index,
                       meant ? fmt::format(" — write {}", *meant) : std::string(),
                       class_choices(request)));
    }
    if (names.empty())
      fail(fmt::format("label '{}' of index {} is not a class number; use {} (this run has "
                       "no class names)",
                       shown(label_text), *index, class_choices(request)));
    const auto close = close_class_names(label_text, names);
    fail(fmt::format("unknown class name '{}' for index {}; {} {} (names are exact and "
                     "case-sensitive)",
                     shown(label_text), *index,
                     close.empty() ? "use" : fmt::format("did you mean {}? Use", quoted_list(close)),
                     class_choices(request)));
  }

  std::vector<std::int64_t> missing;
  for (std::size_t i = 0; i < request.query_indices.size(); ++i)
    if (!label_of[i]) missing.push_back(request.query_indices[i]);
  if (!missing.empty())
    throw label_file_error(
        file, 0,
        fmt::format("{} of the {} indices of cycle {}'s query {} no row (indices {}); add a "
                    "row 'index,label' for each (the template query.csv lists them all)",
                    missing.size(), request.query_indices.size(), request.cycle,
                    missing.size() == 1 ? "has" : "have",
                    first_few(missing, missing.size())));

  checked_label_file checked;
  checked.samples.reserve(request.query_indices.size());
  for (std::size_t i = 0; i < request.query_indices.size(); ++i)
    checked.samples.push_back({request.query_indices[i], *label_of[i]});
  checked.lines = std::move(line_of);
  return checked;
}

}  // namespace oracle_detail

std::size_t label_file_size_limit(const label_request& request) {
  return label_file_base_limit + label_file_limit_per_row * request.query_indices.size();
}

std::vector<labelled_sample> read_label_file(const std::filesystem::path& file,
                                             const label_request& request) {
  return oracle_detail::read_checked_label_file(file, request).samples;
}

}  // namespace al
