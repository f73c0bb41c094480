// prefilter(s, m) >> set: the m·b best candidates by the scorer s, then the
// set selector chooses the query of b among them.

#include "../select/strategy_registry.hpp"

#include <algorithm>
#include <cmath>

namespace al::engine::builtin {

void register_prefilter(strategy_registry& registry) {
  registry.add("prefilter",
               {.select = [](const selector_spec& spec, const selection_inputs& inputs,
                             const std::vector<std::int64_t>& rows, std::int64_t count) {
                 const auto available = static_cast<std::int64_t>(rows.size());
                 const auto keep = std::min<std::int64_t>(
                     available,
                     std::max<std::int64_t>(count, std::llround(spec.parameter * double(count))));
                 const auto shortlist = select_rows(spec.inner.at(0), inputs, rows, keep);
                 return select_rows(spec.inner.at(1), inputs, shortlist, count);
               }});
}

}  // namespace al::engine::builtin
