// margin: minus the gap between the two largest softmax probabilities.

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/strategy/margin.hpp>

namespace al::engine {

torch::Tensor margin_scores(const torch::Tensor& probs) {
  const auto top_two = std::get<0>(probs.topk(2, 1));
  return -(top_two.select(1, 0) - top_two.select(1, 1));
}

namespace builtin {
void register_margin(strategy_registry& registry) {
  registry.add(std::string(al::margin_t::name),
               {.score = [](const pool_outputs& out, const selection_context&) {
                 constexpr auto word = al::margin_t::name;
                 return margin_scores(detail::required(out.probs, "probabilities", word));
               }});
}
}  // namespace builtin

}  // namespace al::engine
