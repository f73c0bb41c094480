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
// per query index; a label is a class number in [0, K), written with digits
// only, or a class name.

#include <cstddef>
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

/// A label file may hold 1 MiB, and 1 KiB more per query index: many times
/// what a filled-in template needs (a row is an index, a comma and a class
/// name), and a bound on what reading a wrong path (/dev/zero, a disk image)
/// can cost.
inline constexpr std::size_t label_file_base_limit = std::size_t{1} << 20;
inline constexpr std::size_t label_file_limit_per_row = std::size_t{1} << 10;

/// The most bytes read_label_file reads for `request`:
/// label_file_base_limit + label_file_limit_per_row × query size.
/// Example: 1 MiB + 100 KiB for a query of 100 indices.
[[nodiscard]] std::size_t label_file_size_limit(const label_request& request);

/// Reads and validates `file` against `request`; returns one labelled sample
/// per query index, in query order. All or nothing: on the first problem (in
/// file order; query indices without a row are reported once the whole file
/// was read) it throws label_file_error and returns nothing. A path that is
/// not a regular file (a folder, a device, a named pipe) or a file larger
/// than label_file_size_limit(request) is refused before it is read.
/// Throws std::invalid_argument when `request` itself is inconsistent (a
/// class name count other than K, an index outside the pool or asked twice).
[[nodiscard]] std::vector<labelled_sample> read_label_file(const std::filesystem::path& file,
                                                           const label_request& request);

}  // namespace al
