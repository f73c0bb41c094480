#pragma once
// Learning curves of several pipelines ("arms") over several seeds, for the
// lessons that compare arms: the mean and standard deviation of test
// accuracy at each labelled count, the area under each mean curve (AUBC,
// trapezoids over the labelled counts, divided by their range), and a CSV
// of every run for plots.

#include <al/metrics/paired_test.hpp>
#include <al/report.hpp>

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lessons {

class learning_curves {
 public:
  explicit learning_curves(std::vector<std::string> arms) : arms_(std::move(arms)) {}

  void add(std::size_t arm, std::uint64_t seed, const al::run_report& report) {
    for (const auto& c : report.cycles) {
      accuracy_[arm][c.labelled].push_back(c.accuracy);
      rows_.push_back(fmt::format("{},{},{},{},{:.6f}", csv_field(arms_[arm]), seed, c.cycle,
                                  c.labelled, c.accuracy));
    }
  }

  /// labels × arms: "mean ± sd" in percent, then each arm's AUBC.
  void print(std::size_t seeds) const {
    fmt::print("\ntest accuracy (%), mean ± sd over {} seed{}\n{:>7}", seeds, seeds == 1 ? "" : "s",
               "labels");
    for (const auto& arm : arms_) fmt::print(" {:>20}", arm);
    fmt::print("\n");
    for (const auto& [labels, unused] : accuracy_.at(0)) {
      fmt::print("{:>7}", labels);
      for (std::size_t a = 0; a < arms_.size(); ++a) {
        const auto [mean, sd] = mean_sd(accuracy_.at(a).at(labels));
        fmt::print(" {:>20}", fmt::format("{:.2f} ± {:.2f}", 100 * mean, 100 * sd));
      }
      fmt::print("\n");
    }
    fmt::print("{:>7}", "AUBC");
    for (std::size_t a = 0; a < arms_.size(); ++a) fmt::print(" {:>20.2f}", 100 * aubc(a));
    fmt::print("\n");
  }

  /// Area under the arm's mean curve, normalised by the labelled range.
  [[nodiscard]] double aubc(std::size_t arm) const {
    const auto& curve = accuracy_.at(arm);
    double area = 0;
    auto previous = curve.begin();
    for (auto it = std::next(previous); it != curve.end(); previous = it++) {
      area += 0.5 * (mean_sd(previous->second).first + mean_sd(it->second).first) *
              static_cast<double>(it->first - previous->first);
    }
    const auto range = static_cast<double>(curve.rbegin()->first - curve.begin()->first);
    return range > 0 ? area / range : mean_sd(curve.begin()->second).first;
  }

  /// labels × pairs of arms: `with` minus `without` on the same seeds, in
  /// points: "mean ± sd (positive in k/n, p)" from a paired t test. The
  /// runs of a seed share their initial labels, so the pairing is fair.
  void print_gains(const std::vector<std::pair<std::size_t, std::size_t>>& pairs) const {
    fmt::print("\ngain in points, mean ± sd over seeds (seeds where it is positive; paired t test)\n{:>7}",
               "labels");
    for (const auto& [with, without] : pairs) {
      fmt::print(" {:>38}", fmt::format("{} − {}", arms_[with], arms_[without]));
    }
    fmt::print("\n");
    for (const auto& [labels, _] : accuracy_.at(pairs.front().first)) {
      fmt::print("{:>7}", labels);
      for (const auto& [with, without] : pairs) {
        const auto& a = accuracy_.at(with).at(labels);
        const auto& b = accuracy_.at(without).at(labels);
        const auto test = al::paired_t_test(a, b);
        std::size_t positive = 0;
        for (std::size_t s = 0; s < a.size(); ++s) positive += a[s] > b[s] ? 1 : 0;
        const auto p = test.p ? fmt::format("p={:.3f}", *test.p) : std::string("p=n/a");
        fmt::print(" {:>38}", fmt::format("{:+.2f} ± {:.2f} ({}/{}, {})", 100 * test.mean_difference,
                                          100 * test.sd_difference, positive, a.size(), p));
      }
      fmt::print("\n");
    }
  }

  /// arm,seed,cycle,labelled,accuracy — one line per cycle of every run.
  void write_csv(const std::filesystem::path& file) const {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file);
    out << "arm,seed,cycle,labelled,accuracy\n";
    for (const auto& row : rows_) out << row << '\n';
  }

 private:
  /// An arm's name as one CSV field: in double quotes, any quote doubled
  /// (RFC 4180), so that "random, warm start" stays one field.
  static std::string csv_field(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  }

  static std::pair<double, double> mean_sd(const std::vector<double>& values) {
    double sum = 0;
    for (double v : values) sum += v;
    const double mean = sum / static_cast<double>(values.size());
    double squares = 0;
    for (double v : values) squares += (v - mean) * (v - mean);
    const double sd =
        values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
    return {mean, sd};
  }

  std::vector<std::string> arms_;
  std::map<std::size_t, std::map<std::int64_t, std::vector<double>>> accuracy_;
  std::vector<std::string> rows_;
};

}  // namespace lessons
