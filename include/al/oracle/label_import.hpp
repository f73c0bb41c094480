#pragma once
// Where a person's labels travel between a stopped run and its rerun.
//
// When the oracle is a person, a run that reaches a query writes
// `<run>/query-<cycle>/` (images, query.csv, README.txt and request.json,
// what exactly was asked) and stops. The person fills in query.csv and
// imports it:
//
//   al::import_labels("results/entropy-seed0/query-3/query.csv");
//   // or: alpipe label import results/entropy-seed0/query-3/query.csv
//
// which checks every row against request.json and stores the answers as
// `<run>/labels-cycle<cycle>.csv`. Rerunning the same command then resumes
// the run and applies them. A file that fails a check changes nothing.

#include <al/oracle/label_file.hpp>

#include <filesystem>
#include <optional>
#include <vector>

namespace al {

/// `<run>/query-<cycle>`: where a run writes the query of `cycle`.
std::filesystem::path query_folder(const std::filesystem::path& run_folder, int cycle);

/// `<run>/labels-cycle<cycle>.csv`: where imported answers are kept.
std::filesystem::path imported_labels_file(const std::filesystem::path& run_folder, int cycle);

/// Writes `request.json` into `folder` (atomically).
void write_label_request(const std::filesystem::path& folder, const label_request& request);

/// Reads `folder/request.json`; a missing or malformed file is an error that
/// names it and says how to get a fresh one (rerun the run).
label_request read_label_request(const std::filesystem::path& folder);

/// Validates `label_file` (see read_label_file) against the request of the
/// query folder it lies in — or of `folder_of_query` when given, for a file
/// kept elsewhere — and stores the answers in that query's run folder.
/// Returns them in query order. All or nothing: on any problem it throws and
/// nothing is written. Importing the same cycle again replaces its answers.
std::vector<labelled_sample> import_labels(const std::filesystem::path& label_file,
                                           const std::filesystem::path& folder_of_query = {});

/// The answers imported for `request`'s cycle into `run_folder`, checked
/// again against the request; nullopt when none were imported yet.
std::optional<std::vector<labelled_sample>> imported_labels(const std::filesystem::path& run_folder,
                                                            const label_request& request);

}  // namespace al
