// tod: the temporal output discrepancy between this cycle's model and the
// previous one's (Huang et al. 2021).

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/strategy/tod.hpp>

namespace al::engine {

torch::Tensor tod_scores(const torch::Tensor& probs, const torch::Tensor& previous_probs) {
  return 0.5 * (probs - previous_probs).square().sum(1);
}

namespace builtin {
void register_tod(strategy_registry& registry) {
  registry.add(std::string(al::tod_t::name),
               {.score = [](const pool_outputs& out, const selection_context& c) {
                 // Before the second training there is no previous model:
                 // the plan says this query is random (Huang et al.).
                 if (!out.previous_probs.defined()) return random_scores(c.candidates, c.seed);
                 return tod_scores(detail::required(out.probs, "probabilities", al::tod_t::name),
                                   out.previous_probs);
               }});
}
}  // namespace builtin

}  // namespace al::engine
