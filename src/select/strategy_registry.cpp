// The registry of strategies' engine code, and top-k.

#include "strategy_registry.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace al::engine {

torch::Tensor top_k(const torch::Tensor& scores, std::int64_t k) {
  const auto n = scores.size(0);
  if (k > n || k < 0) {
    throw std::invalid_argument(fmt::format(
        "cannot select {} samples from {} candidates; make the query smaller than the "
        "unlabelled pool (or the pool larger: config.data.pool_size)",
        k, n));
  }
  // A stable descending sort ranks equal scores by position, so ties never
  // depend on the sort algorithm or the thread count.
  const auto order = std::get<1>(scores.to(torch::kCPU).sort(/*stable=*/true, 0, /*descending=*/true));
  return order.slice(0, 0, k);
}

namespace {

/// Every word's engine by name. The built-in words are added when it is
/// first used, through the same `add` a user's registration ends in.
class registry final : public strategy_registry {
 public:
  registry() { builtin::register_all(*this); }

  void add(std::string name, strategy_engine engine) override {
    engines_.insert_or_assign(std::move(name), std::move(engine));
  }

  /// Changes the entry `name` under the lock; an entry left with neither a
  /// scorer nor a selector is removed. Returns what `change` returns.
  template <class Change>
  auto edit(std::string_view name, Change&& change) {
    const std::lock_guard lock(mutex_);
    auto it = engines_.find(name);
    if (it == engines_.end()) it = engines_.emplace(std::string(name), strategy_engine{}).first;
    const auto result = change(it->second);
    if (it->second.empty()) engines_.erase(it);
    return result;
  }

  /// A copy of what `pick` takes from the entry `name` (empty when there is
  /// none): once the lock is released another thread may replace or remove
  /// the entry, so a reference would dangle.
  template <class Pick>
  auto read(std::string_view name, Pick&& pick) {
    const std::lock_guard lock(mutex_);
    const auto it = engines_.find(name);
    using result = std::decay_t<decltype(pick(it->second))>;
    return it == engines_.end() ? result{} : result(pick(it->second));
  }

  /// The names whose entry `has` accepts, sorted.
  template <class Has>
  std::vector<std::string> names(Has&& has) {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [name, engine] : engines_) {
      if (has(engine)) out.push_back(name);
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, strategy_engine, std::less<>> engines_;
};

registry& engines() {
  static registry instance;
  return instance;
}

}  // namespace

void register_scorer(std::string name, scorer_function score, class_scorer_function class_scores) {
  engines().edit(name, [&](strategy_engine& e) {
    e.score = std::move(score);
    e.class_scores = std::move(class_scores);
    return true;
  });
}

scorer_function find_scorer(std::string_view name) {
  if (auto score = engines().read(name, [](const strategy_engine& e) { return e.score; })) {
    return score;
  }
  std::string known;
  for (const auto& word : registered_scorers()) known += (known.empty() ? "" : ", ") + word;
  throw std::invalid_argument(fmt::format(
      "no engine code is registered for the strategy \"{}\" (registered: {}); a user-defined "
      "word needs al::engine::register_scorer(\"{}\", ...) before the run",
      name, known, name));
}

class_scorer_function find_class_scorer(std::string_view name) {
  return engines().read(name, [](const strategy_engine& e) { return e.class_scores; });
}

bool unregister_scorer(std::string_view name) {
  return engines().edit(name, [](strategy_engine& e) {
    const bool had = static_cast<bool>(e.score);
    e.score = {};
    e.class_scores = {};
    return had;
  });
}

std::vector<std::string> registered_scorers() {
  return engines().names([](const strategy_engine& e) { return static_cast<bool>(e.score); });
}

void register_selector(std::string name, selector_function select) {
  engines().edit(name, [&](strategy_engine& e) {
    e.select = std::move(select);
    return true;
  });
}

selector_function find_selector(std::string_view name) {
  return engines().read(name, [](const strategy_engine& e) { return e.select; });
}

bool unregister_selector(std::string_view name) {
  return engines().edit(name, [](strategy_engine& e) {
    const bool had = static_cast<bool>(e.select);
    e.select = {};
    return had;
  });
}

std::vector<std::string> registered_selectors() {
  return engines().names([](const strategy_engine& e) { return static_cast<bool>(e.select); });
}

}  // namespace al::engine
