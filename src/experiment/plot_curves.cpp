// A lesson's curves.csv to an SVG, with the report's SVG writer.

#include <al/experiment/plot_curves.hpp>
#include <al/metrics/learning_curve.hpp>

#include "../oracle/atomic_file.hpp"
#include "svg_curves.hpp"

#include <fmt/format.h>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/map.hpp>
#include <range/v3/view/transform.hpp>

#include <charconv>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace al {
namespace {

/// One arm's accuracies by seed, then by labelled count, as read.
struct arm_rows {
  std::map<std::int64_t, std::map<std::int64_t, double>> by_seed;
};

template <class Number>
Number field(std::string_view text, const std::filesystem::path& csv, int line) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error(fmt::format("{}:{}: '{}' is not a number", csv.string(), line, text));
  }
  return value;
}

/// The fields of one CSV line; a field in double quotes may hold commas,
/// and "" inside it is one quote (RFC 4180), as lessons write arm names
/// such as "class_balanced(entropy, 0.6)".
std::vector<std::string> split_csv_line(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace

void plot_curves(const std::filesystem::path& csv, const std::filesystem::path& svg,
                 std::string_view title, std::string_view y_label) {
  std::ifstream in(csv);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", csv.string()));
  std::string text;
  std::getline(in, text);
  if (text != "arm,seed,cycle,labelled,accuracy") {
    throw std::runtime_error(fmt::format(
        "{}:1: expected the header arm,seed,cycle,labelled,accuracy (a lesson's curves.csv)",
        csv.string()));
  }
  std::vector<std::string> order;  // arms as they first appear
  std::map<std::string, arm_rows> arms;
  for (int line = 2; std::getline(in, text); ++line) {
    if (text.empty()) continue;
    const auto fields = split_csv_line(text);
    if (fields.size() != 5) {
      throw std::runtime_error(
          fmt::format("{}:{}: expected 5 fields, found {}", csv.string(), line, fields.size()));
    }
    const std::string& arm = fields[0];
    if (!arms.contains(arm)) order.push_back(arm);
    const auto seed = field<std::int64_t>(fields[1], csv, line);
    const auto labelled = field<std::int64_t>(fields[3], csv, line);
    arms[arm].by_seed[seed][labelled] = field<double>(fields[4], csv, line);
  }
  std::vector<experiment::curve_series> series;
  for (const auto& arm : order) {
    const auto& by_seed = arms[arm].by_seed;
    seed_curves curves;
    curves.labelled = by_seed.begin()->second | ranges::views::keys | ranges::to<std::vector>();
    curves.by_seed = by_seed | ranges::views::values |
                     ranges::views::transform([](const auto& points) {
                       return points | ranges::views::values | ranges::to<std::vector>();
                     }) |
                     ranges::to<std::vector>();
    series.push_back({arm, mean_curve(curves), arm == "random"});
  }
  if (svg.has_parent_path()) std::filesystem::create_directories(svg.parent_path());
  oracle_detail::write_file_atomically(svg, experiment::curves_svg(series, title, y_label));
}

}  // namespace al
