#pragma once
// read_label_file with the line each answer came from, so that the import
// can point at the row that differs from answers a run already used.

#include <al/oracle/label_file.hpp>

#include <string>
#include <vector>

namespace al::oracle_detail {

struct checked_label_file {
  std::vector<labelled_sample> samples;  ///< in query order
  std::vector<int> lines;                ///< the file's line of each sample (1-based)
};

/// What makes `request` inconsistent ("query index 12 is asked twice
/// (positions 0 and 3)"), or nothing: read_label_file calls it a programming
/// error, read_label_request a damaged request.json.
std::string label_request_problem(const label_request& request);

/// read_label_file, keeping the lines.
checked_label_file read_checked_label_file(const std::filesystem::path& file,
                                           const label_request& request);

}  // namespace al::oracle_detail
