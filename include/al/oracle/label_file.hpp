#pragma once
// The label file a person fills in when the oracle is a person: read it,
// check every row against the cycle's query, and return the labels — or
// refuse the whole file with one message that names the line and the fix.
//
// Example:
//   al::label_request request{.cycle = 3, .query_indices = {12, 7, 40},
//                             .pool_size = 60000, .class_count = 10,
//                             .class_names = {"T-shirt/top", "Trouser", ...}};
//   auto labels = al::read_label_file("query-cycle-3/query.csv", request);
//   // labels[0] == {12, 4}: in query order, whatever the file's row order
//
// The format (docs/human-oracle.md): CSV, the header `index,label`, one row
// per query index; a label is a class number in [0, K) or a class name.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace al {

/// What the engine asked for: the labels it will accept from the file.
struct label_request {
  int cycle = 0;                            ///< named in messages ("cycle 3's query")
  std::vector<std::int64_t> query_indices;  ///< the pool indices asked, in query order
  std::int64_t pool_size = 0;               ///< indices lie in [0, pool_size)
  int class_count = 0;                      ///< K: class numbers lie in [0, K)
  std::vector<std::string> class_names;     ///< empty, or K names (label by name)
};

/// One answer of the person: pool sample `index` belongs to class `label`.
struct labelled_sample {
  std::int64_t index = 0;
  int label = 0;
  friend bool operator==(const labelled_sample&, const labelled_sample&) = default;
};

/// A label file the engine refuses. what() reads "FILE:LINE: problem; fix"
/// (or "FILE: problem; fix" when no single line is at fault), so that an
/// editor or a terminal can jump to the line.
class label_file_error : public std::runtime_error {
 public:
  label_file_error(std::filesystem::path file, int line, const std::string& message);

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
  /// 1-based (the header is line 1); 0 when the problem is the whole file.
  [[nodiscard]] int line() const noexcept { return line_; }

 private:
  std::filesystem::path file_;
  int line_;
};

/// Reads and validates `file` against `request`; returns one labelled sample
/// per query index, in query order. All or nothing: on the first problem (in
/// file order; query indices without a row are reported once the whole file
/// was read) it throws label_file_error and returns nothing.
/// Throws std::invalid_argument when `request` itself is inconsistent.
[[nodiscard]] std::vector<labelled_sample> read_label_file(const std::filesystem::path& file,
                                                           const label_request& request);

}  // namespace al
