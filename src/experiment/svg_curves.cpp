#include "svg_curves.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace al::experiment {
namespace {

// Okabe & Ito's colour-blind-safe palette, the yellow last (faint on white);
// black is kept for the baseline.
constexpr std::string_view palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                        "#E69F00", "#56B4E9", "#F0E442"};
constexpr std::string_view baseline_colour = "#000000";

constexpr double width = 820;
constexpr double height = 460;
constexpr double left = 70;
constexpr double right = 580;  // the legend sits to the right of the plot
constexpr double top = 44;
constexpr double bottom = 400;

// A round tick step (1, 2 or 5 times a power of ten) giving about `target` ticks.
double nice_step(double span, int target) {
  const double raw = span / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double normalised = raw / magnitude;
  const double factor = normalised < 1.5 ? 1 : normalised < 3 ? 2 : normalised < 7 ? 5 : 10;
  return factor * magnitude;
}

struct axis {
  double low = 0;
  double high = 1;
  double step = 1;
  int decimals = 0;
};

axis make_axis(double low, double high, int target) {
  if (!(high > low)) {  // one value (or none): open a small window around it
    const double pad = std::max(std::fabs(low) * 0.05, 1.0);
    low -= pad;
    high += pad;
  }
  axis a;
  a.step = nice_step(high - low, target);
  a.low = std::floor(low / a.step) * a.step;
  a.high = std::ceil(high / a.step) * a.step;
  a.decimals = a.step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(a.step) - 1e-9));
  return a;
}

// Coordinates with two decimals: enough for a screen, and stable bytes.
std::string xy(double x, double y) { return fmt::format("{:.2f},{:.2f}", x, y); }

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string curves_svg(std::span<const curve_series> series, std::string_view title,
                       std::string_view y_label) {
  double x_low = std::numeric_limits<double>::infinity();
  double x_high = -x_low;
  double y_low = x_low;
  double y_high = -x_low;
  for (const auto& s : series) {
    for (const auto& p : s.points) {
      x_low = std::min(x_low, static_cast<double>(p.labelled));
      x_high = std::max(x_high, static_cast<double>(p.labelled));
      y_low = std::min(y_low, 100 * (p.mean - p.std));
      y_high = std::max(y_high, 100 * (p.mean + p.std));
    }
  }
  if (!std::isfinite(x_low)) x_low = x_high = y_low = y_high = 0;
  const auto x_axis = make_axis(x_low, x_high, 7);
  const auto y_axis = make_axis(y_low, y_high, 6);
  const auto x_of = [&](double v) {
    return left + (v - x_axis.low) / (x_axis.high - x_axis.low) * (right - left);
  };
  const auto y_of = [&](double v) {
    return bottom - (v - y_axis.low) / (y_axis.high - y_axis.low) * (bottom - top);
  };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
      "<text x=\"{2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{3}</text>\n",
      width, height, (left + right) / 2, escape_xml(title));

  // Grid and ticks.
  const int x_ticks = static_cast<int>(std::lround((x_axis.high - x_axis.low) / x_axis.step));
  for (int i = 0; i <= x_ticks; ++i) {
    const double v = x_axis.low + i * x_axis.step;
    const double x = x_of(v);
    svg += fmt::format(
        "<line x1=\"{0:.2f}\" y1=\"{1}\" x2=\"{0:.2f}\" y2=\"{2}\" stroke=\"#e5e5e5\"/>\n"
        "<line x1=\"{0:.2f}\" y1=\"{2}\" x2=\"{0:.2f}\" y2=\"{3}\" stroke=\"#000000\"/>\n"
        "<text x=\"{0:.2f}\" y=\"{4}\" text-anchor=\"middle\">{5:.{6}f}</text>\n",
        x, top, bottom, bottom + 5, bottom + 19, v, x_axis.decimals);
  }
  const int y_ticks = static_cast<int>(std::lround((y_axis.high - y_axis.low) / y_axis.step));
  for (int i = 0; i <= y_ticks; ++i) {
    const double v = y_axis.low + i * y_axis.step;
    const double y = y_of(v);
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{2:.2f}\" x2=\"{1}\" y2=\"{2:.2f}\" stroke=\"#e5e5e5\"/>\n"
        "<line x1=\"{3}\" y1=\"{2:.2f}\" x2=\"{0}\" y2=\"{2:.2f}\" stroke=\"#000000\"/>\n"
        "<text x=\"{4}\" y=\"{5:.2f}\" text-anchor=\"end\">{6:.{7}f}</text>\n",
        left, right, y, left - 5, left - 8, y + 4, v, y_axis.decimals);
  }
  svg += fmt::format(
      "<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{3}\" fill=\"none\" stroke=\"#000000\"/>\n"
      "<text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">labelled samples</text>\n"
      "<text x=\"18\" y=\"{6}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {6})\">{7}</text>\n",
      left, top, right - left, bottom - top, (left + right) / 2, bottom + 40, (top + bottom) / 2,
      escape_xml(y_label));

  // Bands first, so no band covers another pipeline's line.
  std::size_t colour = 0;
  std::vector<std::string_view> colours;
  for (const auto& s : series) {
    colours.push_back(s.baseline ? baseline_colour : palette[colour++ % std::size(palette)]);
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& points = series[i].points;
    if (points.empty()) continue;
    std::string outline;
    for (const auto& p : points) {
      outline += xy(x_of(static_cast<double>(p.labelled)), y_of(100 * (p.mean + p.std))) + " ";
    }
    for (auto p = points.rbegin(); p != points.rend(); ++p) {
      outline += xy(x_of(static_cast<double>(p->labelled)), y_of(100 * (p->mean - p->std))) + " ";
    }
    outline.pop_back();
    svg += fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"none\"/>\n",
                       outline, colours[i]);
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& points = series[i].points;
    if (points.empty()) continue;
    std::string line;
    for (const auto& p : points) {
      line += xy(x_of(static_cast<double>(p.labelled)), y_of(100 * p.mean)) + " ";
    }
    line.pop_back();
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                       line, colours[i], series[i].baseline ? " stroke-dasharray=\"6 4\"" : "");
    for (const auto& p : points) {
      svg += fmt::format("<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"3\" fill=\"{}\"/>\n",
                         x_of(static_cast<double>(p.labelled)), y_of(100 * p.mean), colours[i]);
    }
  }

  // Legend: line sample, band swatch, label.
  const double legend_x = right + 20;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const double y = top + 10 + 22 * static_cast<double>(i);
    svg += fmt::format(
        "<rect x=\"{0}\" y=\"{1:.2f}\" width=\"28\" height=\"12\" fill=\"{2}\" fill-opacity=\"0.15\"/>\n"
        "<line x1=\"{0}\" y1=\"{3:.2f}\" x2=\"{4}\" y2=\"{3:.2f}\" stroke=\"{2}\" stroke-width=\"2\"{5}/>\n"
        "<text x=\"{6}\" y=\"{7:.2f}\">{8}</text>\n",
        legend_x, y - 6, colours[i], y, legend_x + 28,
        series[i].baseline ? " stroke-dasharray=\"6 4\"" : "", legend_x + 36, y + 4,
        escape_xml(series[i].label));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{:.2f}\" fill=\"#555555\">line: mean; band: ±1 std</text>\n",
                     legend_x, top + 10 + 22 * static_cast<double>(series.size()) + 4);
  svg += "</svg>\n";
  return svg;
}

}  // namespace al::experiment
