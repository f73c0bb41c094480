// The round trip of a person's labels: request.json out, answers in.

#include "atomic_file.hpp"

#include <al/oracle/label_import.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

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

label_request read_label_request(const fs::path& folder) {
  const auto file = folder / "request.json";
  std::ifstream in(file);
  if (!in) {
    throw std::runtime_error(fmt::format(
        "{} is missing: the label file must lie in the query folder a run wrote (or name that "
        "folder); rerun the run to write its query again",
        file.string()));
  }
  try {
    const auto j = nlohmann::json::parse(in);
    label_request request;
    request.cycle = j.at("cycle").get<int>();
    request.pool_size = j.at("pool_size").get<std::int64_t>();
    request.class_count = j.at("class_count").get<int>();
    request.class_names = j.at("class_names").get<std::vector<std::string>>();
    request.query_indices = j.at("indices").get<std::vector<std::int64_t>>();
    return request;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format(
        "{} is damaged ({}); delete the query folder and rerun the run to write it again",
        file.string(), e.what()));
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

}  // namespace

std::vector<labelled_sample> import_labels(const fs::path& label_file,
                                           const fs::path& folder_of_query) {
  const auto folder = folder_of_query.empty() ? label_file.parent_path() : folder_of_query;
  const auto request = read_label_request(folder.empty() ? fs::path(".") : folder);
  auto answers = read_label_file(label_file, request);
  // The query folder lies in its run's folder (query_folder above).
  const auto run_folder = fs::absolute(folder.empty() ? fs::path(".") : folder).parent_path();
  oracle_detail::write_file_atomically(imported_labels_file(run_folder, request.cycle),
                                       answers_csv(answers));
  return answers;
}

std::optional<std::vector<labelled_sample>> imported_labels(const fs::path& run_folder,
                                                            const label_request& request) {
  const auto file = imported_labels_file(run_folder, request.cycle);
  if (!fs::exists(file)) return std::nullopt;
  return read_label_file(file, request);
}

}  // namespace al
