// The stopping-rule table, and the checks the engine and the report share:
// a rule fires on the cycles finished so far, a plan's stop checks end a
// run at the first cycle one fires.
#include <al/stopping_rule.hpp>

#include <algorithm>
#include <stdexcept>

namespace al {

void register_stopping_rule(stopping_rule_info info) {
  auto& table = detail::stopping_rules();
  std::lock_guard lock(table.mutex);
  auto name = info.name();
  table.rules.insert_or_assign(std::move(name), std::move(info));
}

std::optional<stopping_rule_info> find_stopping_rule(std::string_view name) {
  auto& table = detail::stopping_rules();
  std::lock_guard lock(table.mutex);
  const auto it = table.rules.find(name);
  if (it == table.rules.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> stopping_rule_words() {
  auto& table = detail::stopping_rules();
  std::lock_guard lock(table.mutex);
  std::vector<std::string> names;
  for (const auto& entry : table.rules) names.push_back(entry.first);
  return names;
}

bool stops_after(const stopping_rule& rule, std::span<const stopping_evidence> so_far) {
  const auto info = find_stopping_rule(rule.name);
  if (!info) {
    throw std::runtime_error(fmt::format(
        "the plan stops by the rule '{}', which this program does not know; register it "
        "(al::register_stopping_rule) in the program that runs or reports the plan",
        rule.name));
  }
  return info->fires(rule, so_far);
}

std::optional<int> stopping_cycle(const plan& p, std::span<const stopping_evidence> cycles) {
  for (const auto& s : p.steps) {
    const auto* check = std::get_if<stop_check_step>(&s);
    if (check == nullptr) continue;
    // The cycles up to the checked one; the evidence is in cycle order.
    const auto upto = std::find_if(cycles.begin(), cycles.end(),
                                   [&](const stopping_evidence& e) { return e.cycle > check->cycle; });
    if (upto == cycles.begin() || std::prev(upto)->cycle != check->cycle) return std::nullopt;
    if (stops_after(check->rule, {cycles.begin(), upto})) return check->cycle;
  }
  return std::nullopt;
}

std::optional<int> would_stop_at(const stopping_rule& rule,
                                 std::span<const stopping_evidence> cycles, int first_cycle) {
  for (std::size_t end = 1; end <= cycles.size(); ++end) {
    if (cycles[end - 1].cycle < first_cycle) continue;
    if (stops_after(rule, cycles.first(end))) return cycles[end - 1].cycle;
  }
  return std::nullopt;
}

}  // namespace al
