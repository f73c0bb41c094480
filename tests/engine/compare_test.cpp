// al::compare on synthetic blobs: the fair protocol's promises (same start
// per seed, a random baseline, results independent of parallelism) checked
// on the run folders it writes, with budgets small enough for seconds.

#include "test_device.hpp"
#include <al/al.hpp>
#include <al/compare.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace compare_test {

using namespace al;
using al::random;
namespace fs = std::filesystem;

config blobs_config(const std::string& name) {
  config c;
  c.data.name = "blobs";
  c.device = al_test::test_device();
  c.threads = 1;  // the same in every comparison here, so results can be compared
  c.verbose = false;
  // ctest runs each test case in its own process, several at once; the
  // process id keeps their folders apart.
  c.results_dir = fs::temp_directory_path() /
                  ("alpipe-compare-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(c.results_dir);
  return c;
}

const auto recipe = train.epochs(5).min_steps(40);
const auto by_entropy = initial(random, 20) | recipe | cycle(2, query(entropy, 20));
const auto by_margin = initial(random, 20) | recipe | cycle(2, query(margin, 20));

std::string read_file(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// A field of a cycles.jsonl line, verbatim: `"queried":[3,17,...]` gives
/// `[3,17,...]`. The engine writes compact JSON, so the text is comparable.
std::string field(const std::string& line, const std::string& name) {
  const auto key = "\"" + name + "\":";
  const auto start = line.find(key);
  if (start == std::string::npos) return {};
  const auto from = start + key.size();
  const auto end = line[from] == '[' ? line.find(']', from) + 1 : line.find_first_of(",}", from);
  return line.substr(from, end - from);
}

/// One field of every cycle of every run, keyed by run folder.
std::vector<std::pair<std::string, std::vector<std::string>>> every_cycle(
    const comparison_record& record, const std::string& name) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& pipeline : record.pipelines) {
    for (const auto& run : pipeline.runs) {
      std::vector<std::string> values;
      for (const auto& line : lines_of(record.folder / run.name / "cycles.jsonl")) {
        values.push_back(field(line, name));
      }
      out.emplace_back(run.name, values);
    }
  }
  return out;
}

/// entropy and margin over seeds 0 and 1, run once and shared by the tests
/// that read it (six runs: the random baseline is added).
const comparison_result& entropy_and_margin(int parallel) {
  const auto make = [](int parallel) {
    auto c = blobs_config("two-pipelines-parallel" + std::to_string(parallel));
    compare_options options;
    options.seeds = {0, 1};
    options.parallel = parallel;
    return compare({{"entropy", by_entropy}, {"margin", by_margin}}, c, options);
  };
  static const auto sequential = make(1);
  static const auto in_parallel = make(2);
  return parallel == 1 ? sequential : in_parallel;
}

TEST_CASE("a comparison adds the random baseline, copying the first pipeline's recipe",
          "[compare]") {
  const auto& result = entropy_and_margin(1);
  const auto& record = result.record;
  CHECK(record.baseline == "random");
  CHECK(record.seeds == std::vector<std::uint64_t>{0, 1});
  REQUIRE(record.pipelines.size() == 3);
  CHECK(record.pipelines[0].label == "random");
  CHECK(record.pipelines[0].added);
  CHECK(record.pipelines[0].text ==
        "initial(random, 20) | train.epochs(5).min_steps(40) | cycle(2, query(random, 20))");
  CHECK(record.pipelines[1].label == "entropy");
  CHECK_FALSE(record.pipelines[1].added);
  CHECK(record.pipelines[1].text == to_string(by_entropy));
  CHECK(record.pipelines[2].label == "margin");
  for (const auto& pipeline : record.pipelines) {
    REQUIRE(pipeline.runs.size() == 2);
    CHECK(pipeline.runs[0].name == pipeline.label + "-seed0");
    CHECK(pipeline.runs[1].name == pipeline.label + "-seed1");
    for (const auto& run : pipeline.runs) {
      CHECK(run.finished());
      CHECK(run.cycles.size() == 3);
      CHECK(run.settings.threads == 1);
    }
    CHECK_THAT(pipeline.runs[1].plan_text, Catch::StartsWith("plan: 2 cycles, 60 labels in all"));
  }
  // The baseline's plan is the first pipeline's with random queries, and
  // its text reads back as that very plan.
  const auto& baseline_plan = record.pipelines[0].runs[0].plan_text;
  CHECK(baseline_plan == explain(parse(record.pipelines[0].text)));
  CHECK_THAT(baseline_plan, Catch::Contains("[1] select    20 samples by random"));
  CHECK_THAT(baseline_plan, Catch::StartsWith("plan: 2 cycles, 60 labels in all; scoring pass "
                                              "computes: nothing"));
}

TEST_CASE("for one seed every pipeline starts from the same initial set and weights",
          "[compare]") {
  const auto queried = every_cycle(entropy_and_margin(1).record, "queried");
  const auto accuracy = every_cycle(entropy_and_margin(1).record, "accuracy");
  // Runs in order random, entropy, margin; seeds 0 and 1 each.
  REQUIRE(queried.size() == 6);
  for (std::size_t seed = 0; seed < 2; ++seed) {
    const auto& random_run = queried[seed];
    REQUIRE(random_run.second.size() == 3);
    CHECK(random_run.second[0].size() > 2);  // a real list, not "[]"
    for (std::size_t pipeline = 1; pipeline < 3; ++pipeline) {
      const auto& other = queried[2 * pipeline + seed];
      INFO(other.first << " against " << random_run.first);
      CHECK(other.second[0] == random_run.second[0]);  // the initial set
      // Same set, same initial weights, same recipe: the same first model.
      CHECK(accuracy[2 * pipeline + seed].second[0] == accuracy[seed].second[0]);
    }
  }
  CHECK(queried[0].second[0] != queried[1].second[0]);  // seeds 0 and 1 differ
  // The strategies do differ after the initial set.
  CHECK(queried[2].second[1] != queried[0].second[1]);
}

TEST_CASE("running the comparison's runs in parallel gives the same results as one by one",
          "[compare]") {
  const auto& sequential = entropy_and_margin(1);
  const auto& parallel = entropy_and_margin(2);
  CHECK(sequential.parallel == 1);
  CHECK(parallel.parallel == 2);
  for (const std::string name : {"queried", "accuracy", "balanced_accuracy"}) {
    INFO(name);
    CHECK(every_cycle(parallel.record, name) == every_cycle(sequential.record, name));
  }
}

TEST_CASE("the comparison folder reads back and its report names every pipeline", "[compare]") {
  const auto& result = entropy_and_margin(1);
  CHECK(result.report == result.folder / "report.md");
  REQUIRE(fs::exists(result.report));
  REQUIRE(fs::exists(result.folder / "comparison.json"));
  const auto again = read_comparison(result.folder);
  REQUIRE(again.pipelines.size() == 3);
  CHECK(again.baseline == "random");
  const auto report = read_file(result.report);
  for (const std::string label : {"random", "entropy", "margin"}) {
    INFO(label);
    CHECK_THAT(report, Catch::Contains(label));
  }
  CHECK_THAT(report, Catch::Contains("Verdict against random"));
}

TEST_CASE("a comparison folder holds one comparison: the same one resumes, another is refused",
          "[compare][lock]") {
  const auto& first = entropy_and_margin(1);
  const auto json = read_file(first.folder / "comparison.json");
  auto c = blobs_config("another-comparison");
  c.results_dir = first.folder;  // the same folder, not emptied
  compare_options options;
  options.seeds = {0, 1};
  options.parallel = 1;
  CHECK_THROWS_WITH(compare({{"entropy", by_entropy}}, c, options),
                    Catch::Contains("holds another comparison") && Catch::Contains("--out"));
  options.seeds = {0, 1, 2};
  CHECK_THROWS_WITH(compare({{"entropy", by_entropy}, {"margin", by_margin}}, c, options),
                    Catch::Contains("holds another comparison"));
  CHECK(read_file(first.folder / "comparison.json") == json);
  options.seeds = {0, 1};
  const auto again = compare({{"entropy", by_entropy}, {"margin", by_margin}}, c, options);
  CHECK(read_file(again.report) == read_file(first.report));
}

TEST_CASE("a pipeline that queries only at random is the baseline; none is added", "[compare]") {
  auto c = blobs_config("random-given");
  compare_options options;
  options.seeds = {3};
  const auto own_random = initial(random, 20) | recipe | cycle(1, query(random, 20));
  const auto one_query = initial(random, 20) | recipe | cycle(1, query(entropy, 20));
  const auto result = compare({{"entropy", one_query}, {"uniform", own_random}}, c, options);
  REQUIRE(result.record.pipelines.size() == 2);
  CHECK(result.record.baseline == "uniform");
  for (const auto& pipeline : result.record.pipelines) CHECK_FALSE(pipeline.added);
  CHECK(fs::exists(c.results_dir / "uniform-seed3" / "cycles.jsonl"));
}

TEST_CASE("on a long-tailed pool a balanced(random) baseline is added as well", "[compare]") {
  auto c = blobs_config("long-tail");
  c.data.long_tail = 0.5;
  compare_options options;
  options.seeds = {0};
  const auto result = compare({{"entropy", by_entropy}}, c, options);
  const auto& pipelines = result.record.pipelines;
  REQUIRE(pipelines.size() == 3);
  CHECK(pipelines[0].label == "random");
  CHECK(pipelines[1].label == "balanced(random)");
  CHECK(pipelines[1].added);
  CHECK(pipelines[1].text ==
        "initial(random, 20) | train.epochs(5).min_steps(40) | cycle(2, query(balanced(random), 20))");
  REQUIRE(pipelines[1].runs.size() == 1);
  CHECK(pipelines[1].runs[0].name == "balanced-random-seed0");
  CHECK(pipelines[1].runs[0].finished());
  CHECK_THAT(pipelines[1].runs[0].plan_text, Catch::Contains("by balanced"));
  CHECK(pipelines[2].label == "entropy");
  CHECK_FALSE(pipelines[2].added);
  CHECK(result.record.baseline == "random");
}

TEST_CASE("a run that fails lets the others finish, then names its pipeline and seed",
          "[compare]") {
  auto c = blobs_config("one-fails");
  compare_options options;
  options.seeds = {0};
  // 900 labels from a pool of 800: AL017, before any training.
  const auto too_big = initial(random, 700) | cycle(1, query(entropy, 200));
  const auto small = initial(random, 20) | recipe | cycle(1, query(entropy, 20));
  CHECK_THROWS_WITH(compare({{"small", small}, {"too big", too_big}}, c, options),
                    Catch::StartsWith("too big seed 0: AL017") &&
                        Catch::EndsWith("(the other runs finished)"));
  CHECK(lines_of(c.results_dir / "small-seed0" / "cycles.jsonl").size() == 2);
  CHECK(lines_of(c.results_dir / "random-seed0" / "cycles.jsonl").size() == 2);
  CHECK(fs::exists(c.results_dir / "comparison.json"));  // written before the runs
}

TEST_CASE("a comparison without pipelines, or with a label twice, says what to do", "[compare]") {
  auto c = blobs_config("bad-input");
  CHECK_THROWS_WITH(compare({}, c), Catch::Contains("compare needs at least one pipeline"));
  CHECK_THROWS_WITH(compare({{"entropy", by_entropy}, {"entropy", by_margin}}, c),
                    Catch::Contains("the label 'entropy' is given to two pipelines; give each "
                                    "pipeline its own label"));
  CHECK_THROWS_WITH(compare({{"a b", by_entropy}, {"a-b", by_margin}}, c),
                    Catch::Contains("both name the run folder 'a-b-seed<s>'"));
  compare_options options;
  options.seeds = {0, 0};
  CHECK_THROWS_WITH(compare({{"entropy", by_entropy}}, c, options),
                    Catch::Contains("list each once"));
  options.seeds = {0};
  options.shard = 3;
  options.shards = 3;
  CHECK_THROWS_WITH(compare({{"entropy", by_entropy}}, c, options),
                    Catch::Contains("shard 3 of 3 does not exist: --shard K/N takes N ≥ 1 and K "
                                    "from 0 to N − 1"));
  options.shard = 0;
  options.shards = 0;
  CHECK_THROWS_WITH(compare({{"entropy", by_entropy}}, c, options),
                    Catch::Contains("shard 0 of 0 does not exist"));
  // One rank of a data-parallel job does not run a whole comparison.
  options.shards = 1;
  ::setenv("WORLD_SIZE", "2", 1);
  CHECK_THROWS_WITH(compare({{"entropy", by_entropy}}, c, options),
                    Catch::Contains("WORLD_SIZE=2 says this process is one rank of a job") &&
                        Catch::Contains("--shard K/N") && Catch::Contains("--distributed off"));
  ::unsetenv("WORLD_SIZE");
  c.distributed = distributed_mode::on;
  CHECK_THROWS_WITH(compare({{"entropy", by_entropy}}, c, options),
                    Catch::Contains("compare runs each run in one process:"));
  CHECK_FALSE(fs::exists(c.results_dir));  // refused before anything was written
}

TEST_CASE("default labels spell the first query's strategy, folder labels keep it readable",
          "[compare]") {
  CHECK(default_label(parse("initial(random, 10) | cycle(2, query(margin, 5))")) == "margin");
  CHECK(default_label(parse("initial(random, 10) | query(balanced(entropy), 5)")) ==
        "balanced(entropy)");
  CHECK(default_label(parse("initial(random, 10) | query(prefilter(entropy, 10) >> coreset, 5)")) ==
        "entropy>>coreset");
  CHECK(default_label(parse("initial(random, 10) | query(class_balanced(entropy, 0.6), 5)")) ==
        "class_balanced(entropy, 0.6)");
  CHECK(default_label(parse("initial(random, 10)")) == "initial");
  CHECK(folder_label("balanced(entropy)") == "balanced-entropy");
  CHECK(folder_label("entropy>>coreset") == "entropy-coreset");
  CHECK(folder_label("class_balanced(entropy, 0.6)") == "class_balanced-entropy-0.6");
  CHECK(folder_label("../x") == "x");
}

}  // namespace compare_test
