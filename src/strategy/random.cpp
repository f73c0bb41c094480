// random: uniform keys, whose top-k is a uniform sample without replacement.

#include "../select/strategy_registry.hpp"

#include <al/strategy/random.hpp>

#include <ATen/CPUGeneratorImpl.h>

namespace al::engine {

torch::Tensor random_scores(std::int64_t count, std::uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::rand({count}, generator, torch::kFloat64);
}

namespace builtin {
void register_random(strategy_registry& registry) {
  registry.add(std::string(al::random_t::name),
               {.score = [](const pool_outputs&, const selection_context& c) {
                 return random_scores(c.candidates, c.seed);
               }});
}
}  // namespace builtin

}  // namespace al::engine
