#pragma once
// The comparison report: report.md and its SVG plots, made from a comparison
// folder alone (the alpipe::experiment library; `alpipe report DIR`).
//
//   const auto file = al::write_report("results/fashion");  // results/fashion/report.md

#include <al/experiment/comparison_folder.hpp>

#include <filesystem>
#include <string>

namespace al {

/// The text of report.md for a comparison that has been read. The same
/// results give the same bytes.
std::string render_report(const comparison_record& comparison);

/// Reads the comparison folder and writes report.md, curves.svg and, when
/// the pool is long-tailed, balanced-curves.svg into it, each atomically.
/// Returns the path of report.md.
std::filesystem::path write_report(const std::filesystem::path& folder);

}  // namespace al
