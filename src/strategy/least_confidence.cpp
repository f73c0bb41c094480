// least_confidence: one minus the largest softmax probability.

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/strategy/least_confidence.hpp>

namespace al::engine {

torch::Tensor least_confidence_scores(const torch::Tensor& probs) {
  return 1.0 - std::get<0>(probs.max(1));
}

namespace builtin {
void register_least_confidence(strategy_registry& registry) {
  registry.add(std::string(al::least_confidence_t::name),
               {.score = [](const pool_outputs& out, const selection_context&) {
                 constexpr auto word = al::least_confidence_t::name;
                 return least_confidence_scores(detail::required(out.probs, "probabilities", word));
               }});
}
}  // namespace builtin

}  // namespace al::engine
