// plan.json gives back the plan it was written from, field for field, for
// every kind of step and strategy; what it cannot read it names.

#include <al/experiment/plan_json.hpp>
#include <al/parse.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

TEST_CASE("plan.json reads back as the very plan it was written from", "[experiment][plan_json]") {
  const std::string pipeline = GENERATE(
      "initial(random, 100) | cycle(6, query(entropy, 100))",
      "pretrain(simsiam).epochs(3).lr(0.3) | initial(random, 20) | train.probe_first() | "
      "cycle(2, query(bald.passes(7), 10))",
      "pretrain(rotation) | initial(pt4al(margin), 50) | cycle(3, query(pt4al(margin), 50))",
      "initial(random, 40) | train(sgd).lr(0.05).momentum(0.8).epochs(4) | "
      "cycle(2, query(prefilter(entropy, 4) >> coreset, 20) | train.epochs(5))",
      "initial(random, 40) | cycle(2, query(mix(badge, balanced(margin), 0.25), 20))",
      "initial(random, 40) | train.cod(0.5) | cycle(2, query(tod, 20)) | query(mcdal, 5)",
      "initial(random, 40) | train.schedule(constant) | cycle(2, query(margin, 20)) | "
      "train.schedule(step) | query(entropy, 5)",
      "initial(random, 40) | cycle(1, query(class_balanced(entropy, 0.6), 20))",
      "initial(random, 40) | train.bf16() | cycle(2, query(margin, 20))");
  INFO(pipeline);
  const auto expanded = al::parse(pipeline);
  const auto text = al::plan_json(expanded);
  CHECK(al::plan_from_json(text) == expanded);
  const auto j = nlohmann::json::parse(text);
  CHECK(j.at("format") == al::plan_json_format);
  CHECK(j.at("cycles") == expanded.cycles());
  CHECK(j.at("label_budget") == expanded.label_budget());
}

TEST_CASE("plan.json that cannot be read says why", "[experiment][plan_json]") {
  CHECK_THROWS_WITH(al::plan_from_json("plan: 2 cycles"), Catch::StartsWith("not JSON"));
  CHECK_THROWS_WITH(al::plan_from_json(R"({"format": 99, "steps": []})"),
                    Catch::Contains("format 99 is newer than this alpipe reads"));
  CHECK_THROWS_WITH(al::plan_from_json(R"({"format": 1, "steps": [{"step": "dance", "cycle": 0}]})"),
                    Catch::Contains("unknown step \"dance\""));
  CHECK_THROWS_WITH(al::plan_from_json(R"({"format": 1, "steps": [{"step": "label", "cycle": 1}]})"),
                    Catch::Contains("step 0:"));
}

namespace {
void erase_key_everywhere(nlohmann::json& j, const std::string& key) {
  if (j.is_object()) {
    j.erase(key);
    for (auto& [name, value] : j.items()) erase_key_everywhere(value, key);
  } else if (j.is_array()) {
    for (auto& value : j) erase_key_everywhere(value, key);
  }
}
}  // namespace

TEST_CASE("plan.json written before the schedule option reads as the constant rate it ran with",
          "[experiment][plan_json]") {
  auto j = nlohmann::json::parse(
      al::plan_json(al::parse("initial(random, 40) | cycle(2, query(margin, 20))")));
  const auto with_schedule = j.dump();
  CHECK_THAT(with_schedule, Catch::Contains(R"("schedule":"cosine")"));
  erase_key_everywhere(j, "schedule");
  const auto old_plan = al::plan_from_json(j.dump());
  bool any_training = false;
  for (const auto& step : old_plan.steps) {
    if (const auto* train = std::get_if<al::train_step>(&step)) {
      any_training = true;
      CHECK(train->recipe.schedule == al::lr_schedule::constant);
    }
  }
  CHECK(any_training);
  for (auto& step : j["steps"]) {
    if (step["step"] == "train") step["recipe"]["schedule"] = "linear";
  }
  CHECK_THROWS_WITH(al::plan_from_json(j.dump()),
                    Catch::Contains("unknown learning-rate schedule \"linear\""));
}

TEST_CASE("plan.json written before mixed precision reads as the float32 training it ran",
          "[experiment][plan_json]") {
  auto j = nlohmann::json::parse(
      al::plan_json(al::parse("initial(random, 40) | train.bf16() | cycle(2, query(margin, 20))")));
  CHECK_THAT(j.dump(), Catch::Contains(R"("bf16":true)"));
  erase_key_everywhere(j, "bf16");
  bool any_training = false;
  for (const auto& step : al::plan_from_json(j.dump()).steps) {
    if (const auto* train = std::get_if<al::train_step>(&step)) {
      any_training = true;
      CHECK_FALSE(train->recipe.bf16);
    }
  }
  CHECK(any_training);
}
