#pragma once
// A person as the oracle, played by a test: fills in each query's label file
// with the true classes, as a careful person would.

#include <al/engine/dataset.hpp>
#include <al/oracle/label_import.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>

namespace al_test {

/// Writes the true class of every index the query at `label_file` asks for.
inline void answer_truthfully(const std::filesystem::path& label_file,
                              const al::engine::dataset& data) {
  const auto request = al::read_label_request(label_file.parent_path());
  std::ofstream out(label_file);
  out << "index,label\n";
  for (const auto index : request.query_indices) {
    out << index << ',' << data.train.labels[index].item<std::int64_t>() << '\n';
  }
}

}  // namespace al_test
