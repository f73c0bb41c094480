// bald: mutual information between the prediction and the weights, from T
// MC-dropout passes. The scoring pass reduces each block of [block, T, K]
// samples with bald_scores as it goes, so the scorer reads the result.

#include "../select/strategy_registry.hpp"

#include <al/strategy/bald.hpp>

#include <stdexcept>

namespace al::engine {

torch::Tensor bald_scores(const torch::Tensor& mc_probs) {
  const auto mean = mc_probs.mean(1);
  const auto entropy_of_mean = -torch::xlogy(mean, mean).sum(1);
  const auto mean_entropy = -torch::xlogy(mc_probs, mc_probs).sum(2).mean(1);
  return entropy_of_mean - mean_entropy;
}

namespace builtin {
void register_bald(strategy_registry& registry) {
  registry.add(std::string(al::bald_t::name),
               {.score = [](const pool_outputs& out, const selection_context&) {
                 if (!out.mutual_information.defined()) {
                   throw std::logic_error(
                       "bald: the scoring pass gave no mutual information (it needs "
                       "need::mc_dropout)");
                 }
                 return out.mutual_information;
               }});
}
}  // namespace builtin

}  // namespace al::engine
