// entropy: the entropy of the softmax.

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/strategy/entropy.hpp>

namespace al::engine {

torch::Tensor entropy_scores(const torch::Tensor& probs) {
  // xlogy gives 0·log 0 = 0 where a class has probability exactly 0.
  return -torch::xlogy(probs, probs).sum(1);
}

namespace builtin {
void register_entropy(strategy_registry& registry) {
  registry.add(std::string(al::entropy_t::name),
               {.score = [](const pool_outputs& out, const selection_context&) {
                 constexpr auto word = al::entropy_t::name;
                 return entropy_scores(detail::required(out.probs, "probabilities", word));
               }});
}
}  // namespace builtin

}  // namespace al::engine
