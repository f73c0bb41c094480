#pragma once
// Learning curves from a lesson's curves.csv as an SVG, drawn by the same
// writer as the comparison report's plots (the alpipe::experiment library;
// `alpipe plot CURVES.csv OUT.svg "title" ["y label"]`).
//
// The CSV has one line per cycle of every run, `arm,seed,cycle,labelled,
// accuracy`; each arm is drawn as its mean over seeds with a ±1 std band,
// the arm called "random" black and dashed.

#include <filesystem>
#include <string_view>

namespace al {

/// Reads `csv` and writes the plot to `svg` (creating its folder), atomically, with `title`
/// above it and `y_label` beside the accuracy axis. Throws
/// std::runtime_error naming the file and line of anything it cannot read.
void plot_curves(const std::filesystem::path& csv, const std::filesystem::path& svg,
                 std::string_view title, std::string_view y_label = "test accuracy (%)");

}  // namespace al
