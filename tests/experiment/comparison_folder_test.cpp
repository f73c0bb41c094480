#include "made_comparison.hpp"

#include <al/experiment/comparison_folder.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>

namespace {

made::run run_of(const std::string& name, std::uint64_t seed) {
  return {name, seed, {100, 200, 300}, {0.70, 0.75, 0.80}, {0.65, 0.72, 0.78}};
}

}  // namespace

TEST_CASE("a comparison folder reads as the engine writes it", "[experiment][folder]") {
  made::comparison_folder folder("read");
  folder.add_run(run_of("random-seed0", 0));
  folder.add_run(run_of("random-seed1", 1));
  folder.write_index({{"random", {"random-seed0", "random-seed1"}}}, "[0, 1]");

  const auto comparison = al::read_comparison(folder.path());
  CHECK(comparison.format == 1);
  CHECK(comparison.seeds == std::vector<std::uint64_t>{0, 1});
  CHECK(comparison.baseline == "random");
  REQUIRE(comparison.pipelines.size() == 1);
  const auto& pipeline = comparison.pipelines[0];
  CHECK(pipeline.label == "random");
  CHECK(pipeline.added);
  CHECK(pipeline.text == "initial(random, 100) | cycle(2, query(random, 100))");
  REQUIRE(pipeline.runs.size() == 2);
  const auto& run = pipeline.runs[1];
  CHECK(run.name == "random-seed1");
  CHECK(run.settings.seed == 1);
  CHECK(run.settings.data == "fashion-mnist");  // from the nested "data" object
  CHECK(run.settings.pool_size == 10000);
  CHECK(run.settings.model == "small_cnn");
  CHECK(run.settings.threads == 2);
  CHECK(run.versions.front() == std::pair<std::string, std::string>{"alpipe", "0.1.0"});
  CHECK(run.versions[2] == std::pair<std::string, std::string>{"fmt", "90100"});
  REQUIRE(run.cycles.size() == 3);
  CHECK(run.cycles[2].labelled == 300);
  CHECK(run.cycles[2].accuracy == Approx(0.80));
  REQUIRE(run.cycles[2].balanced_accuracy);
  CHECK(*run.cycles[2].balanced_accuracy == Approx(0.78));
  CHECK(run.expected_cycles == 3);  // plan.json's 2 cycles plus the initial set
  REQUIRE(run.expanded_plan);
  CHECK(run.expanded_plan->label_budget() == 300);
  CHECK(run.finished());
  CHECK(run.plan_text.starts_with("plan: 2 cycles, 300 labels in all"));
}

TEST_CASE("a run folder written before plan.json takes its plan from the pipeline's text",
          "[experiment][folder]") {
  made::comparison_folder folder("before-plan-json");
  auto r = run_of("random-seed0", 0);
  r.plan_json = false;
  r.labelled = {100, 200};  // stopped after cycle 1 of the text's 2
  r.accuracy = {0.7, 0.75};
  r.balanced = {0.7, 0.75};
  folder.add_run(r);
  folder.write_index({{"random", {"random-seed0"}}}, "[0]");
  const auto comparison = al::read_comparison(folder.path());
  const auto& run = comparison.pipelines.front().runs.front();
  REQUIRE(run.expanded_plan);
  CHECK(*run.expanded_plan == al::parse("initial(random, 100) | cycle(2, query(random, 100))"));
  CHECK(run.expected_cycles == 3);
  CHECK_FALSE(run.finished());
}

TEST_CASE("a damaged plan.json is named, with what to do", "[experiment][folder]") {
  made::comparison_folder folder("damaged-plan-json");
  folder.add_run(run_of("random-seed0", 0));
  folder.write_index({{"random", {"random-seed0"}}}, "[0]");
  made::write(folder.path() / "random-seed0" / "plan.json", R"({"format": 1, "steps": [{"step": "train"}]})");
  CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                    Catch::Contains("random-seed0/plan.json is damaged: step 0:") &&
                        Catch::Contains("run the comparison again"));
}

TEST_CASE("a flat config.json and results without balanced accuracy read too",
          "[experiment][folder]") {
  made::comparison_folder folder("flat");
  auto r = run_of("random-seed0", 0);
  r.balanced.clear();
  folder.add_run(r);
  made::write(folder.path() / "random-seed0" / "config.json",
              R"({"seed":0,"device":"cpu","threads":2,"model":"small_cnn","data":"fashion-mnist",
                  "pool_size":10000,"test_size":10000,"subset_seed":0,"long_tail":0.1})");
  folder.write_index({{"random", {"random-seed0"}}}, "[0]");
  const auto comparison = al::read_comparison(folder.path());
  const auto& settings = comparison.pipelines[0].runs[0].settings;
  CHECK(settings.data == "fashion-mnist");
  CHECK(settings.test_size == 10000);
  CHECK(settings.long_tail == Approx(0.1));
  CHECK_FALSE(comparison.pipelines[0].runs[0].cycles[0].balanced_accuracy);
}

/// A run whose plan promises 3 cycles (the initial set and 2 queries) and
/// that stopped after 2.
static made::run stopped_after_two_cycles(const std::string& name, std::uint64_t seed) {
  auto run = run_of(name, seed);
  run.labelled.resize(2);
  run.accuracy.resize(2);
  run.balanced.resize(2);
  run.planned_cycles = 2;
  return run;
}

TEST_CASE("a run with fewer cycles than its plan is unfinished", "[experiment][folder]") {
  made::comparison_folder folder("unfinished");
  folder.add_run(run_of("random-seed0", 0));
  folder.add_run(stopped_after_two_cycles("random-seed1", 1));
  folder.write_index({{"random", {"random-seed0", "random-seed1"}}}, "[0, 1]");

  SECTION("by its whole lines") {
    const auto comparison = al::read_comparison(folder.path());
    CHECK(comparison.pipelines[0].runs[0].finished());
    CHECK_FALSE(comparison.pipelines[0].runs[1].finished());
    CHECK(comparison.pipelines[0].runs[1].cycles.size() == 2);
  }
  SECTION("a last line cut off mid-write (a killed run) counts as unfinished, not damaged") {
    const auto file = folder.path() / "random-seed1" / "cycles.jsonl";
    made::write(file, made::read(file) + R"({"cycle":2,"labelled":300,"accur)");
    const auto comparison = al::read_comparison(folder.path());
    CHECK(comparison.pipelines[0].runs[1].cycles.size() == 2);
    CHECK_FALSE(comparison.pipelines[0].runs[1].finished());
  }
}

TEST_CASE("unfinished_runs names every run not finished yet, for a comparison run in shards",
          "[experiment][folder]") {
  made::comparison_folder folder("unfinished-runs");
  folder.add_run(run_of("random-seed0", 0));
  folder.add_run(stopped_after_two_cycles("random-seed1", 1));
  // A shard killed while writing a run's record, before its first cycle.
  std::filesystem::create_directories(folder.path() / "margin-seed0");
  made::write(folder.path() / "margin-seed0" / "plan.txt", "cut off");
  folder.write_index({{"random", {"random-seed0", "random-seed1"}},
                      {"margin", {"margin-seed0", "margin-seed1"}}},
                     "[0, 1]");

  CHECK(al::unfinished_runs(folder.path()) ==
        std::vector<std::string>{"random-seed1 (2 of 3 cycles)", "margin-seed0 (no finished cycle)",
                                 "margin-seed1 (not started)"});
  // The report's reader still needs every run folder.
  CHECK_THROWS_WITH(al::read_comparison(folder.path()), Catch::Contains("margin-seed"));
}

TEST_CASE("missing and malformed files are errors naming the file, the line and the fix",
          "[experiment][folder]") {
  made::comparison_folder folder("malformed");
  folder.add_run(run_of("random-seed0", 0));
  folder.write_index({{"random", {"random-seed0"}}}, "[0]");
  const auto run_dir = folder.path() / "random-seed0";

  SECTION("no such folder") {
    CHECK_THROWS_WITH(al::read_comparison(folder.path() / "nowhere"),
                      Catch::Contains("nowhere does not exist") &&
                          Catch::Contains("written by alpipe compare"));
  }
  SECTION("no comparison.json") {
    std::filesystem::remove(folder.path() / "comparison.json");
    CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                      Catch::Contains("comparison.json: no such file"));
  }
  SECTION("comparison.json is not JSON") {
    made::write(folder.path() / "comparison.json", "{\"format\": 1,");
    CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                      Catch::Contains("comparison.json is not valid JSON"));
  }
  SECTION("comparison.json without pipelines") {
    made::write(folder.path() / "comparison.json", R"({"format": 1, "seeds": [0]})");
    CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                      Catch::Contains("\"pipelines\" must be a non-empty array"));
  }
  SECTION("a newer format") {
    made::write(folder.path() / "comparison.json", R"({"format": 2, "pipelines": []})");
    CHECK_THROWS_WITH(al::read_comparison(folder.path()), Catch::Contains("has format 2"));
  }
  SECTION("a run folder that is missing") {
    std::filesystem::remove_all(run_dir);
    CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                      Catch::Contains("random-seed0 named in comparison.json is missing") &&
                          Catch::Contains("alpipe compare"));
  }
  SECTION("a missing plan.txt") {
    std::filesystem::remove(run_dir / "plan.txt");
    CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                      Catch::Contains("plan.txt: no such file"));
  }
  SECTION("a field of the wrong type in config.json") {
    made::write(run_dir / "config.json", R"({"seed": "zero"})");
    CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                      Catch::Contains("config.json: field \"seed\" has the wrong type"));
  }
  SECTION("a damaged line inside cycles.jsonl names its line") {
    const auto file = run_dir / "cycles.jsonl";
    auto text = made::read(file);
    text.insert(text.find('\n') + 1, "{not json}\n");
    made::write(file, text);
    CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                      Catch::Contains("cycles.jsonl line 2 is not valid JSON") &&
                          Catch::Contains("run this seed again"));
  }
  SECTION("a cycle without its accuracy") {
    made::write(run_dir / "cycles.jsonl", "{\"cycle\":0,\"labelled\":100}\n");
    CHECK_THROWS_WITH(al::read_comparison(folder.path()),
                      Catch::Contains("cycles.jsonl line 1: the field \"accuracy\" is missing"));
  }
}
