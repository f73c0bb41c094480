// Nothing lost: a run resumes after its last finished cycle (also after a
// real SIGKILL at any moment) and ends as an uninterrupted run would; a
// folder holding another run is refused; the oracles — noisy and a person
// through label files — answer through the same path as the ground truth.

#include "blobs_run_config.hpp"
#include "careful_person.hpp"
#include "recorded_cycles.hpp"
#include "test_files.hpp"

#include <al/al.hpp>
#include <al/engine/dataset.hpp>
#include <al/oracle/label_import.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace resume_test {

using namespace al;
using al::random;
namespace fs = std::filesystem;
using al_test::answer_truthfully;
using al_test::results_of;
using al_test::start_cli;

fs::path scratch(const std::string& name) { return al_test::named_scratch_folder("resume", name); }

config blobs_config(const fs::path& folder) { return al_test::blobs_run_config(folder); }

const auto short_recipe = train.epochs(5).min_steps(40);


std::vector<std::string> results_of(const run_report& report) {
  std::vector<std::string> out;
  for (const auto& c : report.cycles) {
    out.push_back(fmt::format("{} {} {} {} {}", c.cycle, c.labelled, c.accuracy,
                              fmt::join(c.queried, ","), fmt::join(c.labels, ",")));
  }
  return out;
}

TEST_CASE("rerunning a finished run resumes after its last cycle and changes nothing",
          "[resume]") {
  const auto folder = scratch("finished");
  const auto p = initial(random, 20) | short_recipe | cycle(2, query(entropy, 20));
  const auto first = run(p, blobs_config(folder));
  CHECK(first.resumed_after == -1);
  const auto again = run(p, blobs_config(folder));
  CHECK(again.resumed_after == 2);
  CHECK(results_of(again) == results_of(first));
  SECTION("another thread count is the same run") {
    auto c = blobs_config(folder);
    c.threads = 2;
    CHECK(run(p, c).resumed_after == 2);
  }
}

TEST_CASE("a stopping rule ends the run; run again, it stays stopped; every cycle records its kappa",
          "[resume][stopping]") {
  const auto folder = scratch("stopped");
  // A gain of 100 points over one cycle is never reached: plateau fires at
  // its first check, after cycle 1; stable_predictions at its defaults
  // rarely fires so soon.
  const auto p = initial(random, 20) | short_recipe |
                 cycle(until(plateau.gain(1).cycles(1), 4), query(entropy, 20));
  const auto first = run(p, blobs_config(folder));
  CHECK(first.stopped_by == "plateau");
  CHECK(first.stopped_after == 1);
  REQUIRE(first.cycles.size() == 2);
  CHECK_FALSE(first.cycles[0].agreement);
  REQUIRE(first.cycles[1].agreement);
  CHECK(*first.cycles[1].agreement <= 1);
  CHECK(*first.cycles[1].agreement > 0);  // two trained models agree beyond chance on blobs
  CHECK(al_test::results_of(folder / "run").size() == 2);
  const auto again = run(p, blobs_config(folder));
  CHECK(again.resumed_after == 1);
  CHECK(again.stopped_by == "plateau");
  CHECK(results_of(again) == results_of(first));
  CHECK(al_test::results_of(folder / "run").size() == 2);
  // A rule that does not fire lets the stage run its max cycles.
  const auto never = run(initial(random, 20) | short_recipe |
                             cycle(until(stable_predictions.kappa(1).cycles(4), 2), query(entropy, 20)),
                         [&] {
                           auto c = blobs_config(folder);
                           c.run_name = "never";
                           return c;
                         }());
  CHECK(never.stopped_by.empty());
  CHECK(never.cycles.size() == 3);
}

TEST_CASE("a results folder holding another run is refused, never mixed", "[resume]") {
  const auto folder = scratch("refused");
  run(initial(random, 20) | short_recipe | cycle(1, query(entropy, 20)), blobs_config(folder));
  const auto before = results_of(folder / "run");
  CHECK_THROWS_WITH(
      run(initial(random, 20) | short_recipe | cycle(1, query(margin, 20)), blobs_config(folder)),
      Catch::Contains("holds another run (plan.txt line") &&
          Catch::Contains("give this run another folder"));
  auto other_pool = blobs_config(folder);
  other_pool.data.pool_size = 500;
  CHECK_THROWS_WITH(
      run(initial(random, 20) | short_recipe | cycle(1, query(entropy, 20)), other_pool),
      Catch::Contains("holds another run (config.json line"));
  auto other_oracle = blobs_config(folder);
  other_oracle.oracle = noisy_oracle(0.2);
  CHECK_THROWS_WITH(
      run(initial(random, 20) | short_recipe | cycle(1, query(entropy, 20)), other_oracle),
      Catch::Contains("holds another run (config.json line"));
  CHECK(results_of(folder / "run") == before);
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

std::size_t lines_in(const fs::path& file) {
  std::ifstream in(file);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

TEST_CASE("a run killed with SIGKILL at any moment resumes and ends as an uninterrupted one",
          "[resume][kill][slow]") {
  // Warm start, the previous model (tod) and COD's teacher all live across
  // cycles: the checkpoint must carry each of them.
  const std::string pipeline =
      "initial(random, 20) | train.epochs(5).min_steps(40).cod() | cycle(4, query(tod, 20))";
  const auto whole = scratch("kill-whole");
  const auto killed = scratch("kill-killed");
  const auto arguments = [&](const fs::path& out) {
    return std::vector<std::string>{"run", pipeline, "--data", "blobs", "--threads", "1",
                                    "--device", "cpu", "--quiet", "--out", out.string()};
  };
  REQUIRE(WIFEXITED(wait_for(start_cli(arguments(whole)))));
  const auto run_folder = [](const fs::path& out) { return out / "tod-seed0"; };
  const auto expected = results_of(run_folder(whole));
  REQUIRE(expected.size() == 5);

  // Kill once right after a cycle was written, then at moments that fall
  // anywhere: loading, training, scoring, writing.
  const auto first = start_cli(arguments(killed));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (lines_in(run_folder(killed) / "cycles.jsonl") < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(first, SIGKILL);
  CHECK(WIFSIGNALED(wait_for(first)));
  for (const int milliseconds : {150, 400, 900, 1700}) {
    const auto pid = start_cli(arguments(killed));
    std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
    kill(pid, SIGKILL);
    wait_for(pid);
  }
  const auto status = wait_for(start_cli(arguments(killed)));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(results_of(run_folder(killed)) == expected);
}

TEST_CASE("a noisy oracle flips answers from the seed; the model trains on them", "[oracle]") {
  const auto p = initial(random, 40) | short_recipe | cycle(1, query(entropy, 40));
  auto c = blobs_config(scratch("noisy"));
  c.oracle = noisy_oracle(0.5);
  const auto noisy = run(p, c);
  auto truth = blobs_config(scratch("noisy-truth"));
  const auto clean = run(p, truth);
  const auto& first = noisy.cycles[0];
  REQUIRE(first.labels.size() == 40);
  CHECK(first.queried == clean.cycles[0].queried);  // the same question...
  CHECK(clean.cycles[0].labels != first.labels);    // ...other answers
  std::size_t flipped = 0;
  for (std::size_t i = 0; i < first.labels.size(); ++i) {
    flipped += first.labels[i] != clean.cycles[0].labels[i] ? 1 : 0;
  }
  CHECK(flipped >= 10);
  CHECK(flipped <= 30);
  auto again = blobs_config(scratch("noisy-again"));
  again.oracle = noisy_oracle(0.5);
  CHECK(results_of(run(p, again)) == results_of(noisy));
  SECTION("a flip rate outside [0, 1) is refused") {
    auto bad = blobs_config(scratch("noisy-bad"));
    bad.oracle = noisy_oracle(1.5);
    CHECK_THROWS_WITH(run(p, bad), Catch::Contains("flip rate must lie in [0, 1)"));
  }
}

TEST_CASE("a person as the oracle: each query stops the run until its labels are imported",
          "[oracle][human]") {
  const auto p = initial(random, 20) | short_recipe | cycle(2, query(margin, 20));
  auto c = blobs_config(scratch("human"));
  c.oracle = human_oracle();
  const auto data = engine::load_dataset(c.data);

  auto report = run(p, c);
  REQUIRE_FALSE(report.waiting_for_labels.empty());
  CHECK(report.waiting_for_labels == c.results_dir / "run" / "query-0" / "query.csv");
  CHECK(report.cycles.empty());
  CHECK(fs::exists(c.results_dir / "run" / "query-0" / "request.json"));
  std::size_t images = 0;
  for (const auto& entry : fs::directory_iterator(c.results_dir / "run" / "query-0" / "images")) {
    images += entry.path().extension() == ".png" ? 1 : 0;
  }
  CHECK(images == 20);

  SECTION("a bad label file changes nothing") {
    std::ofstream(report.waiting_for_labels) << "index,label\n999999,1\n";
    CHECK_THROWS(import_labels(report.waiting_for_labels));
    CHECK_FALSE(fs::exists(imported_labels_file(c.results_dir / "run", 0)));
    CHECK(run(p, c).waiting_for_labels == report.waiting_for_labels);
  }
  SECTION("answered truthfully, the run ends exactly as with the ground truth") {
    int stops = 0;
    while (!report.waiting_for_labels.empty()) {
      answer_truthfully(report.waiting_for_labels, data);
      import_labels(report.waiting_for_labels);
      report = run(p, c);
      ++stops;
    }
    CHECK(stops == 3);  // the initial set and two queries
    const auto truth = run(p, blobs_config(scratch("human-truth")));
    CHECK(results_of(report) == results_of(truth));
  }
}

}  // namespace resume_test
