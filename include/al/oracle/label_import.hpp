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
//
// Answers may be imported again, to correct a mistake, until the run has
// finished the cycle they answer (its line in `<run>/cycles.jsonl`). From
// then on the model has trained on them and later cycles chose their
// queries with that model, so they cannot change: importing other answers
// is refused, importing the same ones again changes nothing.

#include <al/oracle/label_file.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace al {

/// `<run>/query-<cycle>`: where a run writes the query of `cycle`.
std::filesystem::path query_folder(const std::filesystem::path& run_folder, int cycle);

/// `<run>/labels-cycle<cycle>.csv`: where imported answers are kept.
std::filesystem::path imported_labels_file(const std::filesystem::path& run_folder, int cycle);

/// Writes `request.json` into `folder` (atomically).
void write_label_request(const std::filesystem::path& folder, const label_request& request);

/// The most bytes read_label_request reads: 64 MiB, room for a query of
/// millions of indices; a larger request.json was not written by a run.
inline constexpr std::size_t label_request_size_limit = std::size_t{64} << 20;

/// Reads `folder/request.json`; a missing, damaged or inconsistent file (not
/// a regular file, over label_request_size_limit, a field of the wrong type,
/// an index outside the pool or asked twice, a cycle other than the folder's
/// query-<cycle> name) is a std::runtime_error that names it and says how
/// to get a fresh one (rerun the run).
label_request read_label_request(const std::filesystem::path& folder);

/// What an import did.
enum class import_outcome {
  stored,     ///< the cycle's first answers: <run>/labels-cycle<cycle>.csv written
  replaced,   ///< answers imported before, not yet used by the run, replaced
  unchanged,  ///< the same answers were imported before: nothing written
};

/// The answers of one import and what became of them.
struct import_result {
  std::vector<labelled_sample> answers;  ///< in query order
  int cycle = 0;
  std::filesystem::path label_file;      ///< the file read
  std::filesystem::path answers_file;    ///< <run>/labels-cycle<cycle>.csv
  import_outcome outcome = import_outcome::stored;
  bool cycle_finished = false;           ///< the run has trained on these answers already
};

/// Validates `label_file` (see read_label_file) against the request of the
/// query folder it lies in — or of `folder_of_query` when given, for a file
/// kept elsewhere — and stores the answers in that query's run folder.
/// All or nothing: on any problem it throws and nothing is written.
///
/// Before the run has finished the query's cycle, importing again replaces
/// the answers (a typo fixed). Once `<run>/cycles.jsonl` holds the cycle,
/// answers that differ from the ones it recorded are refused with a
/// label_file_error naming the first row that differs; the same answers
/// give import_outcome::unchanged.
///
/// Example:
///   auto result = al::import_answers("results/run/query-3/query.csv");
///   std::puts(al::describe(result).c_str());
///   // 100 labels of cycle 3 imported from results/run/query-3/query.csv; ...
import_result import_answers(const std::filesystem::path& label_file,
                             const std::filesystem::path& folder_of_query = {});

/// One line for a person: how many labels, from where, what happened, what next.
std::string describe(const import_result& result);

/// import_answers(label_file, folder_of_query).answers.
std::vector<labelled_sample> import_labels(const std::filesystem::path& label_file,
                                           const std::filesystem::path& folder_of_query = {});

/// The answers imported for `request`'s cycle into `run_folder`, checked
/// again against the request; nullopt when none were imported yet.
std::optional<std::vector<labelled_sample>> imported_labels(const std::filesystem::path& run_folder,
                                                            const label_request& request);

}  // namespace al
