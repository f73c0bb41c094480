#pragma once
// A finished comparison's learning curves as one CSV, the columns
// `alpipe plot` and the course pages read: arm,seed,cycle,labelled,accuracy.

#include <al/experiment/comparison_folder.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace lessons {

inline void write_comparison_curves(const al::comparison_record& record,
                                    const std::filesystem::path& file) {
  std::ofstream out(file);
  out << "arm,seed,cycle,labelled,accuracy\n";
  for (const auto& pipeline : record.pipelines) {
    for (const auto& run : pipeline.runs) {
      for (const auto& c : run.cycles) {
        out << fmt::format("\"{}\",{},{},{},{:.6f}\n", pipeline.label, run.settings.seed, c.cycle,
                           c.labelled, c.accuracy);
      }
    }
  }
}

}  // namespace lessons
