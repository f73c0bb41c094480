// softrank(s, β): the query sampled without replacement, probability
// ∝ rank^(−β) by the scorer s (Kirsch et al. 2023), by the Gumbel-top-k
// trick: the count largest keys −β·log r + G, G ~ Gumbel(0, 1).

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/seed.hpp>
#include <al/strategy/softrank.hpp>

#include <ATen/CPUGeneratorImpl.h>

namespace al::engine {
namespace builtin {

void register_softrank(strategy_registry& registry) {
  registry.add("softrank", {.select = [](const selector_spec& spec, const selection_inputs& inputs,
                                         const std::vector<std::int64_t>& rows,
                                         std::int64_t count) {
                 const auto n = static_cast<std::int64_t>(rows.size());
                 // The order by s: position p holds the row ranked p + 1.
                 const auto order = top_k(score_rows(spec.inner.at(0), inputs, rows), n);
                 auto log_rank = torch::empty({n}, torch::kFloat64);
                 log_rank.index_put_({order}, torch::arange(1, n + 1, torch::kFloat64).log());
                 // Its own stream: the scorer may be random too.
                 auto generator =
                     at::make_generator<at::CPUGeneratorImpl>(derive_seed(inputs.seed, "softrank"));
                 // G = −log(−log u), u uniform in [0, 1); u = 0 gives −inf: last.
                 const auto u = torch::rand({n}, generator, torch::kFloat64);
                 const auto gumbel = -torch::log(-torch::log(u));
                 const auto keys = -spec.parameter * log_rank + gumbel;
                 return detail::to_rows(detail::to_vector(top_k(keys, count)), rows);
               }});
}

}  // namespace builtin
}  // namespace al::engine
