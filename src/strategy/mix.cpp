// mix(a, b, r): r·b of the query by a, the rest by b from what a left.

#include "../select/strategy_registry.hpp"

#include <al/seed.hpp>

#include <cmath>
#include <unordered_set>

namespace al::engine::builtin {

void register_mix(strategy_registry& registry) {
  registry.add("mix",
               {.select = [](const selector_spec& spec, const selection_inputs& inputs,
                             const std::vector<std::int64_t>& rows, std::int64_t count) {
                 const auto first_count = std::llround(spec.parameter * double(count));
                 auto chosen = select_rows(spec.inner.at(0), inputs, rows, first_count);
                 const std::unordered_set<std::int64_t> taken(chosen.begin(), chosen.end());
                 std::vector<std::int64_t> rest;
                 rest.reserve(rows.size() - taken.size());
                 for (auto r : rows) {
                   if (!taken.contains(r)) rest.push_back(r);
                 }
                 auto second_inputs = inputs;
                 // The second word draws its own random stream.
                 second_inputs.seed = derive_seed(inputs.seed, "mix second");
                 const auto more =
                     select_rows(spec.inner.at(1), second_inputs, rest, count - first_count);
                 chosen.insert(chosen.end(), more.begin(), more.end());
                 return chosen;
               }});
}

}  // namespace al::engine::builtin
