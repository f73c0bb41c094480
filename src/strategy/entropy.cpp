// entropy: the entropy of the softmax.

#include "../select/candidate_rows.hpp"
#include "../select/strategy_registry.hpp"

#include <al/strategy/entropy.hpp>

#include <algorithm>

namespace al::engine {

torch::Tensor entropy_scores(const torch::Tensor& probs) {
  // xlogy gives 0·log 0 = 0 where a class has probability exactly 0. Rows
  // of about 4 M probabilities at a time, so that the p·log p temporary is
  // 16 MiB, not another copy of a [1.28 M, 1 000] pool's 4.8 GiB; a pool
  // smaller than that is one block, computed as it always was.
  const auto n = probs.size(0);
  const auto classes = std::max<std::int64_t>(1, probs.size(1));
  const auto rows_per_block = std::max<std::int64_t>(1, (std::int64_t{1} << 22) / classes);
  if (n <= rows_per_block) return -torch::xlogy(probs, probs).sum(1);
  auto out = torch::empty({n}, probs.options());
  for (std::int64_t start = 0; start < n; start += rows_per_block) {
    const auto rows = probs.slice(0, start, std::min(n, start + rows_per_block));
    out.slice(0, start, start + rows.size(0)).copy_(-torch::xlogy(rows, rows).sum(1));
  }
  return out;
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
