// Files a run wrote are checked before they are trusted: each file of a
// finished run's folder is damaged in the ways a disk, a person or a stray
// copy damages files — cut short, bytes overwritten, a line repeated, another
// run's copy swapped in — and the rerun must either end exactly as the
// uninterrupted run did or stop with a message naming the file. Never a
// silently different result.

#include "test_device.hpp"
#include "careful_person.hpp"
#include "recorded_cycles.hpp"
#include "test_files.hpp"

#include <al/al.hpp>
#include <al/engine/dataset.hpp>
#include <al/oracle/label_import.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/file.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace damage_test {

using namespace al;
using al::random;
namespace fs = std::filesystem;
using al_test::results_of;
using al_test::start_cli;

// Warm start, TOD's previous model and COD's head and teacher all live
// across cycles, so the checkpoint carries every kind of state a run keeps.
const auto pipeline = initial(random, 20) | train.epochs(3).min_steps(20).cod() |
                      cycle(3, query(tod, 20));

config blobs_config(const fs::path& folder, std::uint64_t seed = 0) {
  config c;
  c.data.name = "blobs";
  c.device = al_test::test_device();
  c.threads = 1;
  c.seed = seed;
  c.results_dir = folder;
  c.run_name = "run";
  c.verbose = false;
  return c;
}


std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_all(const fs::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  REQUIRE(out.good());
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::istringstream in(read_all(file));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const fs::path& file, const std::vector<std::string>& lines) {
  std::string content;
  for (const auto& line : lines) content += line + "\n";
  write_all(file, content);
}

/// 4 KiB of seeded random bytes over the middle of a file.
void overwrite_middle(const fs::path& file) {
  auto content = read_all(file);
  REQUIRE(content.size() > 8192);
  std::mt19937 bytes(7);
  for (std::size_t i = content.size() / 2; i < content.size() / 2 + 4096; ++i) {
    content[i] = static_cast<char>(bytes());
  }
  write_all(file, content);
}

/// One byte of a text file changed to another digit or letter.
void flip_one_character(const fs::path& file, std::size_t at) {
  auto content = read_all(file);
  REQUIRE(at < content.size());
  char& c = content[at];
  c = std::isdigit(static_cast<unsigned char>(c)) ? (c == '9' ? '1' : c + 1) : (c == 'x' ? 'y' : 'x');
  write_all(file, content);
}

struct damage {
  std::string name;
  std::function<void(const fs::path& run, const fs::path& other_run)> apply;
  /// Empty: the rerun must recover the uninterrupted result; otherwise the
  /// rerun must stop with a message containing this (the file's name).
  std::string names_file;
};

/// Runs with a person as the oracle, answering each query, until the run
/// ends or cycles.jsonl holds `stop_at_lines` lines (the run then waits at
/// its next query: a real mid-run folder, its checkpoint in use).
run_report drive(const config& c, const engine::dataset& data, std::size_t stop_at_lines = 99) {
  auto report = run(pipeline, c);
  while (!report.waiting_for_labels.empty() && report.cycles.size() < stop_at_lines) {
    al_test::answer_truthfully(report.waiting_for_labels, data);
    import_labels(report.waiting_for_labels);
    report = run(pipeline, c);
  }
  return report;
}

TEST_CASE("a run killed while writing its record, before any result, starts again",
          "[resume][damage]") {
  // A shard or a run killed between creating its folder and its first
  // cycle: part of plan.txt and config.json, no results. Nothing is lost by
  // starting again, so the run does, and gives the uninterrupted result.
  const auto clean = blobs_config(al_test::named_scratch_folder("damage", "record-clean"));
  REQUIRE(run(pipeline, clean).cycles.size() == 4);
  for (const auto* written : {"plan.txt", "config.json"}) {
    const auto c = blobs_config(al_test::named_scratch_folder("damage", std::string("record-") + written));
    fs::create_directories(c.results_dir / "run");
    write_all(c.results_dir / "run" / written, "cut o");
    CHECK(run(pipeline, c).cycles.size() == 4);
    CHECK(results_of(c.results_dir / "run") == results_of(clean.results_dir / "run"));
  }
}

TEST_CASE("a damaged results folder is recovered exactly or refused with the file named",
          "[resume][damage]") {
  auto c = blobs_config(al_test::named_scratch_folder("damage", "mid"));
  c.oracle = human_oracle();
  const auto data = engine::load_dataset(c.data);
  // Stopped at the query of cycle 2: the model that scores it comes from
  // the checkpoint, so a checkpoint trusted when it should not be changes
  // which samples are asked for, and the results.
  REQUIRE(drive(c, data, 2).cycles.size() == 2);
  const auto mid = c.results_dir;
  const auto whole = al_test::named_scratch_folder("damage", "whole");
  fs::copy(mid, whole, fs::copy_options::recursive);
  c.results_dir = whole;
  REQUIRE(drive(c, data).cycles.size() == 4);
  const auto expected = results_of(whole / "run");
  // Another run of the same pipeline, for its files.
  auto other_config = blobs_config(al_test::named_scratch_folder("damage", "other"), 1);
  other_config.oracle = human_oracle();
  drive(other_config, data, 2);
  const auto other = other_config.results_dir;
  REQUIRE(results_of(other / "run") != results_of(mid / "run"));

  const std::vector<damage> damages{
      {"checkpoint.pt cut in half",
       [](const fs::path& run, const fs::path&) {
         fs::resize_file(run / "checkpoint.pt", fs::file_size(run / "checkpoint.pt") / 2);
       },
       ""},
      {"checkpoint.pt with 4 KiB of random bytes inside",
       [](const fs::path& run, const fs::path&) { overwrite_middle(run / "checkpoint.pt"); }, ""},
      {"checkpoint.pt of another run",
       [](const fs::path& run, const fs::path& other_run) {
         fs::copy_file(other_run / "checkpoint.pt", run / "checkpoint.pt",
                       fs::copy_options::overwrite_existing);
       },
       ""},
      {"checkpoint.pt deleted",
       [](const fs::path& run, const fs::path&) { fs::remove(run / "checkpoint.pt"); }, ""},
      {"checkpoint.pt emptied",
       [](const fs::path& run, const fs::path&) { write_all(run / "checkpoint.pt", ""); }, ""},
      {"cycles.jsonl's last line cut off, as a kill leaves it",
       [](const fs::path& run, const fs::path&) {
         const auto size = fs::file_size(run / "cycles.jsonl");
         fs::resize_file(run / "cycles.jsonl", size - 40);
       },
       ""},
      {"cycles.jsonl cut to its first line",
       [](const fs::path& run, const fs::path&) {
         auto lines = lines_of(run / "cycles.jsonl");
         lines.resize(1);
         write_lines(run / "cycles.jsonl", lines);
       },
       ""},
      {"cycles.jsonl with one character of a middle line changed",
       [](const fs::path& run, const fs::path&) {
         const auto lines = lines_of(run / "cycles.jsonl");
         const auto second_line = lines[0].size() + 1;
         // Inside the accuracy's digits: "accuracy":0.8...
         const auto at = lines[1].find("\"accuracy\":") + 14;
         flip_one_character(run / "cycles.jsonl", second_line + at);
       },
       "cycles.jsonl line 2"},
      {"cycles.jsonl with a queried index changed",
       [](const fs::path& run, const fs::path&) {
         const auto lines = lines_of(run / "cycles.jsonl");
         const auto at = lines[0].find("\"queried\":[") + 11;
         flip_one_character(run / "cycles.jsonl", at);
       },
       "cycles.jsonl line 1"},
      {"cycles.jsonl with its last line repeated",
       [](const fs::path& run, const fs::path&) {
         auto lines = lines_of(run / "cycles.jsonl");
         lines.push_back(lines.back());
         write_lines(run / "cycles.jsonl", lines);
       },
       "cycles.jsonl line 3"},
      {"cycles.jsonl with two lines swapped",
       [](const fs::path& run, const fs::path&) {
         auto lines = lines_of(run / "cycles.jsonl");
         std::swap(lines[0], lines[1]);
         write_lines(run / "cycles.jsonl", lines);
       },
       "cycles.jsonl line 1"},
      {"cycles.jsonl of another run",
       [](const fs::path& run, const fs::path& other_run) {
         fs::copy_file(other_run / "cycles.jsonl", run / "cycles.jsonl",
                       fs::copy_options::overwrite_existing);
       },
       "cycles.jsonl line 1"},
      {"cycles.jsonl with a line that is not JSON",
       [](const fs::path& run, const fs::path&) {
         auto lines = lines_of(run / "cycles.jsonl");
         lines[1] = "{\"cycle\": 1, this is not json";
         write_lines(run / "cycles.jsonl", lines);
       },
       "cycles.jsonl line 2"},
      {"plan.txt cut short",
       [](const fs::path& run, const fs::path&) { fs::resize_file(run / "plan.txt", 30); },
       "plan.txt"},
      {"plan.txt with a character changed",
       [](const fs::path& run, const fs::path&) { flip_one_character(run / "plan.txt", 6); },
       "plan.txt"},
      {"plan.txt deleted",
       [](const fs::path& run, const fs::path&) { fs::remove(run / "plan.txt"); }, "plan.txt"},
      {"config.json cut short",
       [](const fs::path& run, const fs::path&) { fs::resize_file(run / "config.json", 20); },
       "config.json"},
      {"config.json of another run",
       [](const fs::path& run, const fs::path& other_run) {
         fs::copy_file(other_run / "config.json", run / "config.json",
                       fs::copy_options::overwrite_existing);
       },
       "config.json"},
      {"config.json deleted",
       [](const fs::path& run, const fs::path&) { fs::remove(run / "config.json"); },
       "config.json"},
  };

  int index = 0;
  for (const auto& d : damages) {
    DYNAMIC_SECTION(d.name) {
      auto damaged = c;
      damaged.results_dir = al_test::named_scratch_folder("damage", std::to_string(index));
      fs::copy(mid, damaged.results_dir, fs::copy_options::recursive);
      d.apply(damaged.results_dir / "run", other / "run");
      const auto before = read_all(damaged.results_dir / "run" / "cycles.jsonl");
      const auto versions_before = read_all(damaged.results_dir / "run" / "versions.json");
      fs::remove(damaged.results_dir / "run" / "plan.json");  // as a folder of an older alpipe
      if (d.names_file.empty()) {
        drive(damaged, data);
        CHECK(results_of(damaged.results_dir / "run") == expected);
      } else {
        CHECK_THROWS_WITH(run(pipeline, damaged), Catch::Contains(d.names_file));
        // Refused before anything was written.
        CHECK(read_all(damaged.results_dir / "run" / "cycles.jsonl") == before);
        CHECK(read_all(damaged.results_dir / "run" / "versions.json") == versions_before);
        CHECK_FALSE(fs::exists(damaged.results_dir / "run" / "plan.json"));
      }
    }
    ++index;
  }
}

TEST_CASE("a results folder in use by another process is refused, naming the holder",
          "[resume][lock]") {
  const auto folder = al_test::named_scratch_folder("damage", "locked");
  fs::create_directories(folder / "run");
  // Another process's lock, as alpipe takes it: flock on run.lock.
  const int held = ::open((folder / "run" / "run.lock").c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(held >= 0);
  REQUIRE(::flock(held, LOCK_EX) == 0);
  const std::string holder = "process 4242 on elsewhere, since 2026-01-01T00:00:00Z\n";
  REQUIRE(::pwrite(held, holder.data(), holder.size(), 0) == static_cast<ssize_t>(holder.size()));
  CHECK_THROWS_WITH(run(pipeline, blobs_config(folder)),
                    Catch::Contains("is in use by another alpipe process (process 4242") &&
                        Catch::Contains("--wait"));
  CHECK_FALSE(fs::exists(folder / "run" / "cycles.jsonl"));
  ::close(held);  // the holder is gone: the folder is free again
  CHECK(run(pipeline, blobs_config(folder)).cycles.size() == 4);
}

int exit_status_of(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("two processes started on one run folder never both run it", "[resume][lock][slow]") {
  const auto out = al_test::named_scratch_folder("damage", "two-processes");
  const auto logs = al_test::named_scratch_folder("damage", "two-processes-logs");
  fs::create_directories(logs);
  const auto arguments = [&](bool wait) {
    std::vector<std::string> a{"run", "initial(random, 20) | train.epochs(5).min_steps(4000) | "
                                      "cycle(3, query(entropy, 20))",
                               "--data", "blobs", "--threads", "1", "--device", "cpu", "--quiet",
                               "--out", out.string()};
    if (wait) a.push_back("--wait");
    return a;
  };
  const auto lock_file = out / "entropy-seed0" / "run.lock";
  const auto first = start_cli(arguments(false), logs / "first.log");
  // The first holds the lock once it has written its name into run.lock.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((!fs::exists(lock_file) || fs::file_size(lock_file) == 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(fs::file_size(lock_file) > 0);
  const auto second = start_cli(arguments(false), logs / "second.log");
  CHECK(exit_status_of(second) == 1);
  CHECK_THAT(read_all(logs / "second.log"),
             Catch::Contains("is in use by another alpipe process (process " +
                             std::to_string(first)));
  const auto waiting = start_cli(arguments(true), logs / "waiting.log");
  CHECK(exit_status_of(first) == 0);
  CHECK(exit_status_of(waiting) == 0);
  // Each cycle ran once: the waiting process found them all finished.
  CHECK(lines_of(out / "entropy-seed0" / "cycles.jsonl").size() == 4);
}

TEST_CASE("a thread count outside 0 to four per core is refused before any work",
          "[threads]") {
  const auto folder = al_test::named_scratch_folder("damage", "threads");
  for (const int threads : {-1, 100000}) {
    auto c = blobs_config(folder);
    c.threads = threads;
    CHECK_THROWS_WITH(run(pipeline, c), Catch::Contains("config.threads (--threads) must be 0") &&
                                            Catch::Contains(std::to_string(threads)));
  }
  CHECK_FALSE(fs::exists(folder / "run"));
}

}  // namespace damage_test
