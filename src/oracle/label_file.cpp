// Reading the label file a person filled in. The file is tokenised whole
// first, then checked row by row, so that the first problem in file order is
// the one reported and the message can still count what else is unfinished
// (how many rows are unlabelled). Nothing is returned unless every row is
// right: a half-applied file would leave the pool in a state no one chose.

#include <al/oracle/label_file.hpp>

#include <al/detail/nearest_word.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
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
            field);
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

std::string read_whole_file(const std::filesystem::path& file) {
  std::error_code error;
  const auto status = std::filesystem::status(file, error);
  if (!std::filesystem::exists(status))
    throw label_file_error(file, 0,
                           "no such file; check the path (the query folder holds the label "
                           "template query.csv)");
  if (std::filesystem::is_directory(status))
    throw label_file_error(file, 0,
                           "this is a folder, not a label file; give the path of the query.csv "
                           "inside it");
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw label_file_error(file, 0,
                           fmt::format("cannot read the file ({}); check that you may read it",
                                       std::strerror(errno)));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad())
    throw label_file_error(file, 0, "reading the file failed; check the disk and try again");
  return std::move(content).str();
}

// Lines without their end (LF or CRLF), the byte order mark a spreadsheet
// may write dropped, and trailing blank lines dropped.
std::vector<csv_line> split_lines(std::string_view content) {
  constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";
  if (content.substr(0, byte_order_mark.size()) == byte_order_mark)
    content.remove_prefix(byte_order_mark.size());
  std::vector<csv_line> lines;
  int number = 0;
  while (!content.empty()) {
    const auto end = content.find('\n');
    auto text = content.substr(0, end);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    lines.push_back(split_line(++number, text));
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
  }
  while (!lines.empty() && trim(lines.back().text).empty()) lines.pop_back();
  return lines;
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
    std::size_t rank = detail::edit_distance(label, name);
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
  if (request.class_count < 1)
    throw std::invalid_argument(fmt::format(
        "read_label_file: class_count is {}; give the number of classes K (at least 1)",
        request.class_count));
  if (!request.class_names.empty() &&
      request.class_names.size() != static_cast<std::size_t>(request.class_count))
    throw std::invalid_argument(
        fmt::format("read_label_file: {} class names for {} classes; give one name per class "
                    "or none",
                    request.class_names.size(), request.class_count));
  for (const auto index : request.query_indices)
    if (index < 0 || index >= request.pool_size)
      throw std::invalid_argument(
          fmt::format("read_label_file: query index {} lies outside the pool of {}; the "
                      "request must come from the pool it labels",
                      index, request.pool_size));
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

  const auto text = std::string(trim(header.text));
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
                     fields[2]));
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

std::vector<labelled_sample> read_label_file(const std::filesystem::path& file,
                                             const label_request& request) {
  check_request(request);
  const auto lines = split_lines(read_whole_file(file));
  if (lines.empty())
    throw label_file_error(file, 0,
                           fmt::format("the file is empty; it needs the header '{}' and one row "
                                       "per query index (start from the template query.csv)",
                                       expected_header));
  check_header(file, lines.front());

  // Where each query index is asked, and which rows are still unlabelled
  // (for the message: a person wants to know how much is left, not only
  // the first unfinished row).
  std::unordered_map<std::int64_t, std::size_t> query_position;
  for (std::size_t i = 0; i < request.query_indices.size(); ++i)
    query_position.emplace(request.query_indices[i], i);
  std::vector<std::string> unlabelled;
  for (std::size_t i = 1; i < lines.size(); ++i)
    if (lines[i].split_problem.empty() && lines[i].fields.size() == 2 &&
        lines[i].fields[1].empty() && !lines[i].fields[0].empty())
      unlabelled.push_back(lines[i].fields[0]);
  const auto data_rows = lines.size() - 1;

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
                       trim(line.text), line.fields.size(),
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
    if (!index)
      fail(fmt::format("the index '{}' is not an integer; keep the index column as the "
                       "template query.csv wrote it (whole numbers, no decimals)",
                       index_text));
    if (*index < 0 || *index >= request.pool_size)
      fail(fmt::format("unknown index {}: the pool has indices 0 to {}; keep the index column "
                       "as the template query.csv wrote it",
                       *index, request.pool_size - 1));
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
                       *index, unlabelled.size(), data_rows, data_rows == 1 ? " is" : "s are",
                       first_few(unlabelled, unlabelled.size()), class_choices(request)));
    if (const auto number = parse_integer<int>(label_text)) {
      if (*number < 0 || *number >= request.class_count)
        fail(fmt::format("label {} of index {} is out of range{}; use {}", *number, *index,
                         *number == request.class_count ? " (class numbers start at 0)" : "",
                         class_choices(request)));
      label_of[position] = *number;
      continue;
    }
    if (request.class_names.empty())
      fail(fmt::format("label '{}' of index {} is not a class number; use {} (this run has "
                       "no class names)",
                       label_text, *index, class_choices(request)));
    const auto& names = request.class_names;
    const auto named = std::find(names.begin(), names.end(), label_text);
    if (named == names.end()) {
      const auto close = close_class_names(label_text, names);
      fail(fmt::format("unknown class name '{}' for index {}; {} {} (names are exact and "
                       "case-sensitive)",
                       label_text, *index,
                       close.empty() ? "use" : fmt::format("did you mean {}? Use", quoted_list(close)),
                       class_choices(request)));
    }
    label_of[position] = static_cast<int>(named - names.begin());
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

  std::vector<labelled_sample> samples;
  samples.reserve(request.query_indices.size());
  for (std::size_t i = 0; i < request.query_indices.size(); ++i)
    samples.push_back({request.query_indices[i], *label_of[i]});
  return samples;
}

}  // namespace al
