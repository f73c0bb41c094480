#pragma once
// The query folder a person works in when the oracle is a person: the
// images to label, the label template and a short README.
//
// Example:
//   al::query_images q{.cycle = 3, .indices = {12, 7}, .pixels = ...,
//                      .height = 28, .width = 28, .channels = 1,
//                      .class_count = 10, .class_names = {"T-shirt/top", ...}};
//   auto template_file = al::write_query_folder("results/run/query-cycle-3", q);
//   // the person fills in template_file; read_label_file reads it back
//
// Layout (docs/human-oracle.md):
//   query.csv         index,label — one row per query index, label empty
//   images/<i>.png    the pool sample with index i
//   predictions.csv   index,predicted — only when predictions are given
//   README.txt        what to do, the class list, the import command

#include <al/oracle/png.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace al {

/// One cycle's query, with the images to show.
struct query_images {
  int cycle = 0;
  std::vector<std::int64_t> indices;   ///< pool indices, in query order
  std::vector<std::uint8_t> pixels;    ///< indices.size() images of height × width × channels
  int height = 0;
  int width = 0;
  int channels = 1;                    ///< 1 (grey) or 3 (RGB), interleaved
  int class_count = 0;                 ///< K: labels are 0 … K-1
  std::vector<std::string> class_names;  ///< empty, or K names
  std::vector<int> predicted;          ///< empty, or the model's class per image
};

/// Writes the query folder (created if needed) and returns the path of its
/// query.csv. Every file is written atomically, query.csv last, so a folder
/// with a query.csv is complete. Refuses (std::runtime_error) to overwrite a
/// query.csv in which a label was already filled in, so an export never
/// destroys a person's work; throws std::invalid_argument when `query` is
/// inconsistent.
std::filesystem::path write_query_folder(const std::filesystem::path& folder,
                                         const query_images& query);

}  // namespace al
