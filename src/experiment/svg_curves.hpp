#pragma once
// Learning curves as a hand-written SVG: mean line and a ±1 std band per
// pipeline. Plain attributes, a generic font, no script: it renders the same
// in a browser and on a code-hosting site's file view.

#include <al/metrics/learning_curve.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace al::experiment {

struct curve_series {
  std::string label;
  std::vector<curve_point> points;  // values in [0, 1], drawn as percent
  bool baseline = false;            // drawn black and dashed
};

/// `text` with &, <, > and " escaped: safe inside SVG, HTML and the HTML
/// blocks of Markdown.
std::string escape_xml(std::string_view text);

/// The SVG document. The same series give the same bytes.
std::string curves_svg(std::span<const curve_series> series, std::string_view title,
                       std::string_view y_label);

}  // namespace al::experiment
