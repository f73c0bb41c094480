// plan.json: every step of a plan with every field, written and read with
// nlohmann::json. The two directions mirror each other field by field, and
// a round trip is tested to give back an equal plan.

#include <al/experiment/plan_json.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <type_traits>
#include <variant>

namespace al {
namespace {

using json = nlohmann::ordered_json;

json needs_to_json(needs_set needs) {
  json list = json::array();
  for (const auto n : all_needs) {
    if (needs.contains(n)) list.push_back(std::string(to_string(n)));
  }
  return list;
}

needs_set needs_from_json(const json& list) {
  needs_set needs;
  for (const auto& name : list) {
    bool known = false;
    for (const auto n : all_needs) {
      if (name.get<std::string>() == to_string(n)) {
        needs = needs | n;
        known = true;
      }
    }
    if (!known) throw std::runtime_error(fmt::format("unknown need \"{}\"", name.get<std::string>()));
  }
  return needs;
}

json selector_to_json(const selector_spec& s) {
  json j;
  j["name"] = s.name;
  j["needs"] = needs_to_json(s.needs);
  j["description"] = s.description;
  j["mc_passes"] = s.mc_passes;
  j["parameter"] = s.parameter;
  j["inner"] = json::array();
  for (const auto& inner : s.inner) j["inner"].push_back(selector_to_json(inner));
  return j;
}

selector_spec selector_from_json(const json& j) {
  selector_spec s;
  s.name = j.at("name").get<std::string>();
  s.needs = needs_from_json(j.at("needs"));
  s.description = j.at("description").get<std::string>();
  s.mc_passes = j.at("mc_passes").get<std::int64_t>();
  s.parameter = j.at("parameter").get<double>();
  for (const auto& inner : j.at("inner")) s.inner.push_back(selector_from_json(inner));
  return s;
}

json train_recipe_to_json(const train_recipe& r) {
  return {{"optimizer", std::string(to_string(r.optimizer))},
          {"epochs", r.epochs},
          {"min_steps", r.min_steps},
          {"batch_size", r.batch_size},
          {"lr", r.learning_rate},
          {"weight_decay", r.weight_decay},
          {"momentum", r.momentum},
          {"schedule", std::string(to_string(r.schedule))},
          {"warm_start", r.warm_start},
          {"linear_probe", r.linear_probe},
          {"probe_first", r.probe_first},
          {"auxiliary_heads", r.auxiliary_heads},
          {"consistency_weight", r.consistency_weight},
          {"bf16", r.bf16}};
}

train_recipe train_recipe_from_json(const json& j) {
  train_recipe r;
  const auto name = j.at("optimizer").get<std::string>();
  if (name == to_string(optimizer::adam)) r.optimizer = optimizer::adam;
  else if (name == to_string(optimizer::sgd)) r.optimizer = optimizer::sgd;
  else throw std::runtime_error(fmt::format("unknown optimizer \"{}\"", name));
  r.epochs = j.at("epochs").get<std::int64_t>();
  r.min_steps = j.at("min_steps").get<std::int64_t>();
  r.batch_size = j.at("batch_size").get<std::int64_t>();
  r.learning_rate = j.at("lr").get<double>();
  r.weight_decay = j.at("weight_decay").get<double>();
  r.momentum = j.at("momentum").get<double>();
  // Plans written before the schedule was an option trained at a constant rate.
  const auto schedule = j.value("schedule", std::string(to_string(lr_schedule::constant)));
  if (const auto named = lr_schedule_named(schedule)) r.schedule = *named;
  else throw std::runtime_error(fmt::format("unknown learning-rate schedule \"{}\"", schedule));
  r.warm_start = j.at("warm_start").get<bool>();
  r.linear_probe = j.at("linear_probe").get<bool>();
  r.probe_first = j.at("probe_first").get<bool>();
  r.auxiliary_heads = j.at("auxiliary_heads").get<bool>();
  r.consistency_weight = j.at("consistency_weight").get<double>();
  // Plans written before mixed precision was an option trained in float32.
  r.bf16 = j.value("bf16", false);
  return r;
}

json pretrain_recipe_to_json(const pretrain_recipe& r) {
  return {{"pretext", std::string(to_string(r.pretext))},
          {"epochs", r.epochs},
          {"batch_size", r.batch_size},
          {"lr", r.learning_rate},
          {"weight_decay", r.weight_decay},
          {"projector_width", r.projector_width},
          {"predictor_width", r.predictor_width}};
}

pretrain_recipe pretrain_recipe_from_json(const json& j) {
  pretrain_recipe r;
  const auto name = j.at("pretext").get<std::string>();
  if (name == to_string(pretext::simsiam)) r.pretext = pretext::simsiam;
  else if (name == to_string(pretext::rotation)) r.pretext = pretext::rotation;
  else throw std::runtime_error(fmt::format("unknown pretext task \"{}\"", name));
  r.epochs = j.at("epochs").get<std::int64_t>();
  r.batch_size = j.at("batch_size").get<std::int64_t>();
  r.learning_rate = j.at("lr").get<double>();
  r.weight_decay = j.at("weight_decay").get<double>();
  r.projector_width = j.at("projector_width").get<std::int64_t>();
  r.predictor_width = j.at("predictor_width").get<std::int64_t>();
  return r;
}

json step_to_json(const step& s) {
  return std::visit(
      [](const auto& st) -> json {
        using T = std::decay_t<decltype(st)>;
        if constexpr (std::is_same_v<T, pretrain_step>) {
          return {{"step", "pretrain"}, {"cycle", 0}, {"recipe", pretrain_recipe_to_json(st.recipe)}};
        } else if constexpr (std::is_same_v<T, label_initial_step>) {
          return {{"step", "label_initial"}, {"cycle", 0},
                  {"selector", selector_to_json(st.selector)}, {"count", st.count}};
        } else if constexpr (std::is_same_v<T, train_step>) {
          return {{"step", "train"}, {"cycle", st.cycle}, {"recipe", train_recipe_to_json(st.recipe)}};
        } else if constexpr (std::is_same_v<T, evaluate_step>) {
          return {{"step", "evaluate"}, {"cycle", st.cycle}};
        } else if constexpr (std::is_same_v<T, score_step>) {
          return {{"step", "score"},
                  {"cycle", st.cycle},
                  {"outputs", needs_to_json(st.outputs)},
                  {"labelled_outputs", needs_to_json(st.labelled_outputs)},
                  {"mc_passes", st.mc_passes}};
        } else if constexpr (std::is_same_v<T, select_step>) {
          return {{"step", "select"}, {"cycle", st.cycle},
                  {"selector", selector_to_json(st.selector)}, {"count", st.count}};
        } else if constexpr (std::is_same_v<T, label_step>) {
          return {{"step", "label"}, {"cycle", st.cycle}, {"count", st.count}};
        } else {
          static_assert(std::is_same_v<T, stop_check_step>);
          return {{"step", "stop_check"},
                  {"cycle", st.cycle},
                  {"rule", {{"name", st.rule.name},
                            {"description", st.rule.description},
                            {"threshold", st.rule.threshold},
                            {"window", st.rule.window}}}};
        }
      },
      s);
}

step step_from_json(const json& j) {
  const auto kind = j.at("step").get<std::string>();
  const int cycle = j.at("cycle").get<int>();
  if (kind == "pretrain") return pretrain_step{pretrain_recipe_from_json(j.at("recipe"))};
  if (kind == "label_initial") {
    return label_initial_step{selector_from_json(j.at("selector")), j.at("count").get<std::int64_t>()};
  }
  if (kind == "train") return train_step{cycle, train_recipe_from_json(j.at("recipe"))};
  if (kind == "evaluate") return evaluate_step{cycle};
  if (kind == "score") {
    return score_step{cycle, needs_from_json(j.at("outputs")),
                      needs_from_json(j.at("labelled_outputs")), j.at("mc_passes").get<std::int64_t>()};
  }
  if (kind == "select") {
    return select_step{cycle, selector_from_json(j.at("selector")), j.at("count").get<std::int64_t>()};
  }
  if (kind == "label") return label_step{cycle, j.at("count").get<std::int64_t>()};
  if (kind == "stop_check") {
    const auto& rule = j.at("rule");
    return stop_check_step{cycle,
                           {rule.at("name").get<std::string>(), rule.at("description").get<std::string>(),
                            rule.at("threshold").get<double>(), rule.at("window").get<std::int64_t>()}};
  }
  throw std::runtime_error(fmt::format("unknown step \"{}\"", kind));
}

}  // namespace

std::string plan_json(const plan& p) {
  json j;
  j["format"] = plan_json_format;
  j["cycles"] = p.cycles();
  j["label_budget"] = p.label_budget();
  j["steps"] = json::array();
  for (const auto& s : p.steps) j["steps"].push_back(step_to_json(s));
  return j.dump(2) + "\n";
}

plan plan_from_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(fmt::format("not JSON ({})", e.what()));
  }
  try {
    const auto format = j.at("format").get<int>();
    if (format > plan_json_format) {
      throw std::runtime_error(fmt::format(
          "format {} is newer than this alpipe reads ({}); read it with the alpipe that wrote it",
          format, plan_json_format));
    }
    plan p;
    std::size_t index = 0;
    for (const auto& s : j.at("steps")) {
      try {
        p.steps.push_back(step_from_json(s));
      } catch (const json::exception& e) {
        throw std::runtime_error(fmt::format("step {}: {}", index, e.what()));
      }
      ++index;
    }
    return p;
  } catch (const json::exception& e) {
    throw std::runtime_error(e.what());
  }
}

}  // namespace al
