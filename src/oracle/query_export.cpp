// The query folder. query.csv is written last: a folder that has it is
// complete, so whatever waits for a person (or a crash in between) never
// finds a template whose images are not there yet.

#include <al/oracle/query_export.hpp>

#include "atomic_file.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace al {
namespace {

void check_query(const query_images& query) {
  const auto fail = [](const std::string& message) {
    throw std::invalid_argument("write_query_folder: " + message);
  };
  if (query.height <= 0 || query.width <= 0)
    fail(fmt::format("the images are {}x{}; give a height and a width of at least 1",
                     query.height, query.width));
  if (query.channels != 1 && query.channels != 3)
    fail(fmt::format("{} channels; give 1 (grey) or 3 (RGB, interleaved)", query.channels));
  const auto image_bytes = static_cast<std::size_t>(query.height) *
                           static_cast<std::size_t>(query.width) *
                           static_cast<std::size_t>(query.channels);
  if (query.pixels.size() != query.indices.size() * image_bytes)
    fail(fmt::format("{} pixel bytes for {} images of {}x{}x{}; give {} bytes "
                     "(images × height × width × channels)",
                     query.pixels.size(), query.indices.size(), query.height, query.width,
                     query.channels, query.indices.size() * image_bytes));
  if (query.class_count < 1)
    fail(fmt::format("class_count is {}; give the number of classes K (at least 1)",
                     query.class_count));
  if (!query.class_names.empty() &&
      query.class_names.size() != static_cast<std::size_t>(query.class_count))
    fail(fmt::format("{} class names for {} classes; give one name per class or none",
                     query.class_names.size(), query.class_count));
  if (!query.predicted.empty() && query.predicted.size() != query.indices.size())
    fail(fmt::format("{} predictions for {} images; give one per image or none",
                     query.predicted.size(), query.indices.size()));
  for (const auto index : query.indices)
    if (index < 0) fail(fmt::format("pool index {} is negative", index));
  for (const auto k : query.predicted)
    if (k < 0 || k >= query.class_count)
      fail(fmt::format("predicted class {} lies outside 0 to {}", k, query.class_count - 1));
}

// A person's labels are work that cannot be redone by running again, so an
// export never writes over a template in which a label was filled in.
void refuse_to_overwrite_labels(const std::filesystem::path& template_file) {
  std::ifstream in(template_file, std::ios::binary);
  if (!in) return;
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    if (line.find_first_not_of(" \t", comma + 1) != std::string::npos)
      throw std::runtime_error(fmt::format(
          "{} already holds labels that a person filled in; import them with `alpipe label "
          "import {}`, or move the file away to export this query again",
          template_file.string(), template_file.string()));
  }
}

// The argument as a POSIX shell reads it: quoted when it holds anything but
// plain path characters, so the command in README.txt can be pasted as is.
std::string shell_quoted(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                                              "XYZ0123456789/._-+:@%") == std::string::npos)
    return text;
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string class_name(const query_images& query, int k) {
  return query.class_names.empty() ? fmt::format("{}", k)
                                   : query.class_names[static_cast<std::size_t>(k)];
}

// A class name as one CSV field: quoted when it holds a comma or a quote.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string readme_text(const query_images& query, const std::filesystem::path& template_file) {
  const auto count = query.indices.size();
  std::string classes;
  for (int k = 0; k < query.class_count; ++k) {
    if (query.class_names.empty()) break;
    classes += fmt::format("{}{} {}", k == 0 ? "" : ", ", k, class_name(query, k));
  }
  std::ostringstream out;
  out << fmt::format("Cycle {} asks you to label {} image{}: images/<index>.png shows the pool "
                     "sample with that index.\n",
                     query.cycle, count, count == 1 ? "" : "s");
  out << "In query.csv, fill the label column of every row and keep the index column and the "
         "header 'index,label' as they are.\n";
  if (query.class_names.empty())
    out << fmt::format("A label is a class number from 0 to {}.\n", query.class_count - 1);
  else
    out << fmt::format("A label is a class number or a class name (exact, case-sensitive):\n"
                       "  {}\n",
                       classes);
  if (!query.predicted.empty())
    out << "predictions.csv holds the model's guess for each index: a hint only, check each "
           "image.\n";
  out << "Save query.csv as CSV (comma-separated), then run:\n";
  out << fmt::format("  alpipe label import {}\n",
                     shell_quoted(std::filesystem::absolute(template_file).string()));
  out << "The import checks the whole file first and applies nothing if a row is wrong.\n";
  return std::move(out).str();
}

}  // namespace

std::filesystem::path write_query_folder(const std::filesystem::path& folder,
                                         const query_images& query) {
  check_query(query);
  const auto template_file = folder / "query.csv";
  refuse_to_overwrite_labels(template_file);

  std::error_code error;
  std::filesystem::create_directories(folder / "images", error);
  if (error)
    throw std::runtime_error(fmt::format("cannot create the query folder {}: {}; check that "
                                         "its parent is writable",
                                         (folder / "images").string(), error.message()));

  const auto image_bytes = static_cast<std::size_t>(query.height) *
                           static_cast<std::size_t>(query.width) *
                           static_cast<std::size_t>(query.channels);
  for (std::size_t i = 0; i < query.indices.size(); ++i)
    write_png(folder / "images" / fmt::format("{}.png", query.indices[i]), query.width,
              query.height, query.channels, query.pixels.data() + i * image_bytes);

  if (!query.predicted.empty()) {
    std::string predictions = "index,predicted\n";
    for (std::size_t i = 0; i < query.indices.size(); ++i) {
      predictions += fmt::format("{},{}\n", query.indices[i],
                                 csv_field(class_name(query, query.predicted[i])));
    }
    oracle_detail::write_file_atomically(folder / "predictions.csv", predictions);
  }

  oracle_detail::write_file_atomically(folder / "README.txt", readme_text(query, template_file));

  std::string label_template = "index,label\n";
  for (const auto index : query.indices) label_template += fmt::format("{},\n", index);
  oracle_detail::write_file_atomically(template_file, label_template);
  return template_file;
}

}  // namespace al
