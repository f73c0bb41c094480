// plateau: the accuracy gain over the last k cycles against the threshold.
#include <al/stopping/plateau.hpp>

#include <cstddef>

namespace al {

bool plateau_fires(const stopping_rule& rule, std::span<const stopping_evidence> so_far) {
  const auto window = static_cast<std::size_t>(rule.window);
  if (window == 0 || so_far.size() <= window) return false;
  const double gain = so_far.back().accuracy - so_far[so_far.size() - 1 - window].accuracy;
  return gain < rule.threshold;
}

}  // namespace al
