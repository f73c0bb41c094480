// Importing a person's labels into a run folder: what is stored, when a
// re-import may change the answers, and that a refused import leaves the
// run folder byte for byte as it was.

#include <al/oracle/label_import.hpp>

#include "print_labelled_sample.hpp"
#include "scratch_folder.hpp"
#include "within_deadline.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

using al::import_answers;
using al::import_labels;
using al::import_outcome;
using al::label_file_error;
using al::label_request;
using al::labelled_sample;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

label_request animals_request() {
  return {.cycle = 3,
          .query_indices = {12, 7, 40, 3},
          .pool_size = 100,
          .class_count = 3,
          .class_names = {"cat", "dog", "bird"}};
}

const std::string first_answers = "index,label\n12,dog\n7,cat\n40,bird\n3,1\n";
const std::vector<labelled_sample> first_samples = {{12, 1}, {7, 0}, {40, 2}, {3, 1}};
const std::string stored_first = "index,label\n12,1\n7,0\n40,2\n3,1\n";
// The same as first_answers but for index 40 (line 4): cat, not bird.
const std::string other_answers = "index,label\n12,dog\n7,cat\n40,cat\n3,1\n";

/// A run folder that stopped at cycle 3's query, as the engine leaves it.
struct stopped_run {
  al::test::scratch_folder scratch;
  fs::path run = scratch.path() / "run";
  fs::path query = al::query_folder(run, 3);
  fs::path answers_file = al::imported_labels_file(run, 3);

  stopped_run() {
    al::write_label_request(query, animals_request());
    write(query / "query.csv", "index,label\n12,\n7,\n40,\n3,\n");
    // Cycles 0 to 2 are finished.
    std::string lines;
    for (int cycle = 0; cycle < 3; ++cycle)
      lines += cycle_line(cycle, {1, 2}, {0, 1});
    write(run / "cycles.jsonl", lines);
  }

  static void write(const fs::path& file, std::string_view content) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }

  /// A line as the engine writes it when a cycle ends (results_folder's cycle_json).
  static std::string cycle_line(int cycle, const std::vector<std::int64_t>& queried,
                                const std::vector<std::int64_t>& labels) {
    return fmt::format(
        "{{\"cycle\":{},\"labelled\":20,\"accuracy\":0.5,\"per_class_accuracy\":[0.5,0.5,0.5],"
        "\"balanced_accuracy\":0.5,\"query_class_histogram\":[1,1,0],\"seconds\":{{\"train\":1.0,"
        "\"score\":0.0,\"select\":0.0,\"evaluate\":0.1}},\"queried\":[{}],\"labels\":[{}]}}\n",
        cycle, fmt::join(queried, ","), fmt::join(labels, ","));
  }

  /// The run trains on cycle 3's answers and records them.
  void finish_cycle_3(const std::vector<std::int64_t>& labels = {1, 0, 2, 1}) const {
    std::ofstream(run / "cycles.jsonl", std::ios::app) << cycle_line(3, {12, 7, 40, 3}, labels);
  }

  fs::path answer(std::string_view content) const {
    write(query / "query.csv", content);
    return query / "query.csv";
  }
};

}  // namespace

TEST_CASE("imported answers are kept in the run folder for the run's next call",
          "[oracle][label_import]") {
  stopped_run r;
  const auto result = import_answers(r.answer(first_answers));
  CHECK(result.answers == first_samples);
  CHECK(result.outcome == import_outcome::stored);
  CHECK_FALSE(result.cycle_finished);
  CHECK(result.answers_file == r.answers_file);
  CHECK(al::test::read_bytes(r.answers_file) == stored_first);
  CHECK(al::describe(result) == fmt::format("4 labels of cycle 3 imported from {}; run the same "
                                            "command again to continue the run",
                                            (r.query / "query.csv").string()));
  CHECK(al::imported_labels(r.run, animals_request()) == first_samples);
}

TEST_CASE("answers are not imported while a run works in the folder", "[oracle][label_import]") {
  stopped_run r;
  // A run holds run.lock, as the engine takes it: flock.
  const int held = ::open((r.run / "run.lock").c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(held >= 0);
  REQUIRE(::flock(held, LOCK_EX) == 0);
  CHECK_THROWS_WITH(import_answers(r.answer(first_answers)),
                    Catch::Contains("is in use by another alpipe process") &&
                        Catch::Contains("import the labels once it has stopped"));
  CHECK_FALSE(fs::exists(r.answers_file));
  ::close(held);  // the run has stopped
  CHECK(import_answers(r.answer(first_answers)).outcome == import_outcome::stored);
}

TEST_CASE("the run folder is the query folder's parent however the query folder is written",
          "[oracle][label_import]") {
  stopped_run r;
  const auto elsewhere = r.scratch.write("answers.csv", first_answers);
  SECTION("with a trailing separator, as a shell completes it") {
    (void)import_labels(elsewhere, r.query.string() + "/");
  }
  SECTION("as the current folder") {
    const auto before = fs::current_path();
    fs::current_path(r.query);
    try {
      r.answer(first_answers);
      (void)import_labels("query.csv");
    } catch (...) {
      fs::current_path(before);
      throw;
    }
    fs::current_path(before);
  }
  CHECK(al::test::read_bytes(r.answers_file) == stored_first);
  CHECK_FALSE(fs::exists(r.query / "labels-cycle3.csv"));
}

TEST_CASE("until the run has finished the cycle, answers may be imported again",
          "[oracle][label_import]") {
  stopped_run r;
  (void)import_answers(r.answer(first_answers));
  SECTION("other answers replace them: a mistake fixed before the run goes on") {
    const auto result = import_answers(r.answer(other_answers));
    CHECK(result.outcome == import_outcome::replaced);
    CHECK(al::test::read_bytes(r.answers_file) == "index,label\n12,1\n7,0\n40,0\n3,1\n");
    CHECK_THAT(al::describe(result),
               Contains("4 labels of cycle 3 imported from " + (r.query / "query.csv").string() +
                        ", replacing the answers imported before (" + r.answers_file.string() +
                        "); run the same command again"));
  }
  SECTION("the same answers, written another way, change nothing and say so") {
    const auto before = al::test::folder_contents(r.run);
    const auto result = import_answers(r.answer("index,label\n3,dog\n40,2\n12,1\n7,cat\n"));
    CHECK(result.outcome == import_outcome::unchanged);
    CHECK(al::test::folder_contents(r.run) ==
          [&] {
            auto expected = before;
            expected["query-3/query.csv"] = "index,label\n3,dog\n40,2\n12,1\n7,cat\n";
            return expected;
          }());
    CHECK_THAT(al::describe(result), Contains("holds the same 4 labels of cycle 3 as imported "
                                              "before (" + r.answers_file.string() +
                                              "); nothing changed, run the same command again"));
  }
  SECTION("a line of another cycle, or cycle 3's line cut off by a kill, does not finish it") {
    std::ofstream(r.run / "cycles.jsonl", std::ios::app)
        << "{\"cycle\":3,\"labelled\":24,\"accuracy\":0.5,\"per_class";
    CHECK(import_answers(r.answer(other_answers)).outcome == import_outcome::replaced);
  }
}

TEST_CASE("once the run has finished the cycle, its answers cannot change",
          "[oracle][label_import]") {
  stopped_run r;
  (void)import_answers(r.answer(first_answers));
  r.finish_cycle_3();
  const auto before = al::test::folder_contents(r.run);
  const auto what_to_do = fmt::format(
      "the labels of a finished query cannot change. Leave {} as it is to keep this run; to label "
      "the pool differently, start a new run in another folder (alpipe run ... --out OTHER, or "
      "config.run_name)",
      r.answers_file.string());

  SECTION("other answers are refused at the first row that differs; nothing is written") {
    const auto other = r.scratch.write("other.csv", other_answers);
    try {
      (void)import_labels(other, r.query);
      FAIL("answers that differ from a finished cycle's were imported");
    } catch (const label_file_error& error) {
      CHECK(error.file() == other);
      CHECK(error.line() == 4);
      CHECK_THAT(error.what(),
                 Contains(fmt::format("other.csv:4: cycle 3's query is finished: the run has "
                                      "trained on its answers (recorded in {} line 4), and this "
                                      "file changes 1 of them (index 40: 2 (bird) there, 0 (cat) "
                                      "here); ",
                                      (r.run / "cycles.jsonl").string())));
      CHECK_THAT(error.what(), Contains(what_to_do));
    }
    CHECK(al::test::folder_contents(r.run) == before);
  }
  SECTION("the same answers again change nothing and say so") {
    const auto same = r.scratch.write("same.csv", "index,label\n40,bird\n3,1\n7,0\n12,1\n");
    const auto result = import_answers(same, r.query);
    CHECK(result.outcome == import_outcome::unchanged);
    CHECK(result.cycle_finished);
    CHECK(result.answers == first_samples);
    CHECK(al::describe(result) == same.string() + " holds the 4 labels of cycle 3 the run has "
                                                  "already trained on; nothing changed");
    CHECK(al::test::folder_contents(r.run) == before);
  }
  SECTION("cycles.jsonl decides, even when labels-cycle3.csv is gone") {
    fs::remove(r.answers_file);
    const auto without = al::test::folder_contents(r.run);
    REQUIRE_THROWS_WITH(import_labels(r.answer(other_answers)),
                        Contains("query.csv:4: cycle 3's query is finished"));
    CHECK(import_answers(r.answer(first_answers)).outcome == import_outcome::unchanged);
    auto expected = without;
    expected["query-3/query.csv"] = first_answers;
    CHECK(al::test::folder_contents(r.run) == expected);
  }
  SECTION("a finished cycle recorded without its answers refuses any") {
    stopped_run old;
    std::ofstream(old.run / "cycles.jsonl", std::ios::app)
        << R"({"cycle":3,"labelled":24,"queried":[12,7,40,3]})" << '\n';
    REQUIRE_THROWS_WITH(import_labels(old.answer(first_answers)),
                        Contains("query.csv: cycle 3's query is finished: the run has trained on "
                                 "the answers recorded in " +
                                 (old.run / "cycles.jsonl").string() +
                                 " line 4 (a line without the answers (written before they were "
                                 "recorded)), and this file's answers are not those"));
  }
}

TEST_CASE("a cycles.jsonl the import cannot read stops it", "[oracle][label_import]") {
  stopped_run r;
  const auto jsonl = r.run / "cycles.jsonl";
  SECTION("a damaged line") {
    stopped_run::write(jsonl, "{\"cycle\":0}\n{not json\n");
    const auto file = r.answer(first_answers);
    const auto before = al::test::folder_contents(r.run);
    REQUIRE_THROWS_WITH(import_labels(file),
                        Contains(jsonl.string() + ":2: the line is damaged ("));
    REQUIRE_THROWS_WITH(import_labels(file),
                        Contains("the import cannot tell whether cycle 3 is finished, so it "
                                 "changes nothing"));
    CHECK(al::test::folder_contents(r.run) == before);
  }
  SECTION("a line nested 100 000 deep") {
    stopped_run::write(jsonl, "{\"cycle\":3,\"queried\":" + std::string(100'000, '[') +
                                  std::string(100'000, ']') + "}\n");
    const auto file = r.answer(first_answers);
    const auto outcome = al::test::outcome_within(std::chrono::milliseconds(500),
                                                  [&] { (void)import_labels(file); });
    CHECK_THAT(outcome.value_or("still running after half a second"),
               Contains(jsonl.string() + ":1: the line is damaged ("));
    CHECK_FALSE(fs::exists(r.answers_file));
  }
  SECTION("a folder in its place") {
    fs::remove(jsonl);
    fs::create_directory(jsonl);
    REQUIRE_THROWS_WITH(import_labels(r.answer(first_answers)),
                        Contains(jsonl.string() + ": this is a folder; the import cannot tell"));
    CHECK_FALSE(fs::exists(r.answers_file));
  }
  SECTION("a link to /dev/zero") {
    if (!fs::exists("/dev/zero")) return;
    fs::remove(jsonl);
    fs::create_symlink("/dev/zero", jsonl);
    const auto file = r.answer(first_answers);
    const auto outcome = al::test::outcome_within(std::chrono::milliseconds(500),
                                                  [&] { (void)import_labels(file); });
    REQUIRE(outcome.has_value());
    CHECK_THAT(*outcome, Contains(jsonl.string() + ": this is a character device"));
    CHECK_FALSE(fs::exists(r.answers_file));
  }
}

TEST_CASE("a refused label file leaves the run folder byte for byte as it was",
          "[oracle][label_import]") {
  stopped_run r;
  (void)import_answers(r.answer(first_answers));  // an earlier import, kept
  const auto elsewhere = r.scratch.path() / "bad.csv";
  const auto refused = [&](const std::function<void()>& make_bad_file) {
    make_bad_file();
    const auto before = al::test::folder_contents(r.run);
    const auto outcome = al::test::outcome_within(std::chrono::milliseconds(500), [&] {
      (void)import_labels(elsewhere, r.query);
    });
    CHECK(al::test::folder_contents(r.run) == before);
    return outcome.value_or("still running after half a second");
  };
  CHECK_THAT(refused([&] { stopped_run::write(elsewhere, "index,label\n12,dog\n7,3.0\n"); }),
             Contains("bad.csv:3: label '3.0' of index 7 is not a valid class number"));
  CHECK_THAT(refused([&] { stopped_run::write(elsewhere, ""); }),
             Contains("bad.csv: the file is empty"));
  CHECK_THAT(refused([&] {
               stopped_run::write(elsewhere, first_answers + std::string(1 << 21, '\n'));
             }),
             Contains("bad.csv: the file is larger than 1.0 MiB"));
  CHECK_THAT(refused([&] { stopped_run::write(elsewhere, std::string("index,label\n12,1\0", 17)); }),
             Contains("bad.csv:2: a NUL byte"));
  if (fs::exists("/dev/zero")) {
    CHECK_THAT(refused([&] {
                 fs::remove(elsewhere);
                 fs::create_symlink("/dev/zero", elsewhere);
               }),
               Contains("bad.csv: this is a character device"));
  }
  CHECK_THAT(refused([&] {
               fs::remove(elsewhere);
               REQUIRE(::mkfifo(elsewhere.c_str(), 0600) == 0);
             }),
             Contains("bad.csv: this is a named pipe (FIFO)"));
  CHECK(al::test::read_bytes(r.answers_file) == stored_first);
}

TEST_CASE("request.json is read with a ceiling and checked like the label file",
          "[oracle][label_import]") {
  stopped_run r;
  const auto request_file = r.query / "request.json";
  const auto file = r.answer(first_answers);
  const auto refusal = [&] {
    const auto before = al::test::folder_contents(r.run);
    const auto outcome = al::test::outcome_within(std::chrono::milliseconds(500),
                                                  [&] { (void)import_labels(file); });
    CHECK(al::test::folder_contents(r.run) == before);
    return outcome.value_or("still running after half a second");
  };
  const auto rerun = "delete the query folder and rerun the run to write it again";
  const auto damaged = [&](std::string_view json) {
    stopped_run::write(request_file, json);
    return refusal();
  };

  SECTION("larger than 64 MiB: refused without reading it") {
    fs::resize_file(request_file, std::uintmax_t{65} << 20);  // sparse
    // Not refusal(): its snapshot of the run folder would read the 65 MiB twice.
    const auto outcome = al::test::outcome_within(std::chrono::milliseconds(500),
                                                  [&] { (void)import_labels(file); });
    CHECK_THAT(outcome.value_or("still running after half a second"), Contains(request_file.string() + " is larger than 64.0 MiB, more than "
                                                           "the request of any query a run "
                                                           "writes; " + rerun));
  }
  SECTION("not a file") {
    fs::remove(request_file);
    REQUIRE(::mkfifo(request_file.c_str(), 0600) == 0);
    CHECK_THAT(refusal(), Contains(request_file.string() + " is a named pipe (FIFO), not a file; " +
                                   rerun));
    fs::remove(request_file);
    fs::create_directory(request_file);
    CHECK_THAT(refusal(), Contains(request_file.string() + " is a folder; " + rerun));
  }
  SECTION("a number that is not a whole number of its type is not rounded or wrapped") {
    constexpr auto rest =
        R"("pool_size": 100, "class_count": 3, "class_names": ["cat","dog","bird"], "indices": [12,7,40,3]})";
    CHECK_THAT(damaged(std::string(R"({"cycle": 3.7, )") + rest),
               Contains(request_file.string() + " is damaged (cycle is 3.7, not a whole number "
                                                "from -2147483648 to 2147483647); " + rerun));
    CHECK_THAT(damaged(std::string(R"({"cycle": 4294967299, )") + rest),
               Contains("is damaged (cycle is 4294967299, not a whole number"));
    CHECK_THAT(damaged(std::string(R"({"cycle": true, )") + rest),
               Contains("is damaged (cycle is true, not a whole number"));
  }
  SECTION("JSON nested a million deep is refused at once") {
    CHECK_THAT(damaged(std::string(1'000'000, '[') + std::string(1'000'000, ']')),
               Contains("is damaged (nested more than 4 deep, deeper than alpipe writes)"));
  }
  SECTION("a request that contradicts itself or its folder") {
    const auto request = [](std::string_view cycle, std::string_view pool,
                            std::string_view indices) {
      return fmt::format(R"({{"cycle": {}, "pool_size": {}, "class_count": 3,
                              "class_names": ["cat","dog","bird"], "indices": [{}]}})",
                         cycle, pool, indices);
    };
    CHECK_THAT(damaged(request("5", "100", "12,7,40,3")),
               Contains("is damaged (it asks for cycle 5, but its folder is query-3)"));
    CHECK_THAT(damaged(request("3", "100", "12,7,40,3,7")),
               Contains("is damaged (query index 7 is asked twice (positions 1 and 4))"));
    CHECK_THAT(damaged(request("3", "10", "12,7,40,3")),
               Contains("is damaged (query index 12 lies outside the pool of 10)"));
    CHECK_THAT(damaged(request("-1", "100", "12,7,40,3")), Contains("is damaged (cycle is -1)"));
    CHECK_THAT(damaged("[1, 2, 3]"), Contains("is damaged (it is not a JSON object)"));
    CHECK_THAT(damaged(std::string(1000, '\0')), Contains("is damaged ("));
  }
  CHECK_FALSE(fs::exists(r.answers_file));
}
