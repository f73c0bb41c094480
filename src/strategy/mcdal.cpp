// mcdal: the discrepancy between the head and two auxiliary heads (MCDAL).
// The auxiliary heads are trained in src/core/mcdal_training.cpp.

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/strategy/mcdal.hpp>

namespace al::engine {

torch::Tensor mcdal_scores(const torch::Tensor& probs, const torch::Tensor& aux_probs) {
  const auto p1 = aux_probs.select(1, 0);
  const auto p2 = aux_probs.select(1, 1);
  return (p1 - p2).abs().sum(1) + (probs - p1).abs().sum(1) + (probs - p2).abs().sum(1);
}

namespace builtin {
void register_mcdal(strategy_registry& registry) {
  registry.add(std::string(al::mcdal_t::name),
               {.score = [](const pool_outputs& out, const selection_context&) {
                 constexpr auto word = al::mcdal_t::name;
                 return mcdal_scores(
                     detail::required(out.probs, "probabilities", word),
                     detail::required(out.aux_probs,
                                      "auxiliary heads' outputs (it needs need::aux_heads)", word));
               }});
}
}  // namespace builtin

}  // namespace al::engine
