#include "made_comparison.hpp"

#include <al/experiment/report.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace {

// Three pipelines on three seeds, labelled {100, 200, 300}; all share the
// initial accuracy (same start). With equal steps AUBC = (a0 + 2 a1 + a2) / 4:
//   random  0.750, 0.755, 0.745: 75.00 ± 0.50
//   entropy 0.725, 0.735, 0.7225: 72.75 ± 0.66
//   margin  0.7725, 0.780, 0.7725: 77.50 ± 0.43 (best)
// Paired on AUBC against random:
//   entropy: differences -0.025, -0.02, -0.0225: mean -2.25 points, sd 0.0025,
//            t = -0.0225 / (0.0025 / sqrt 3) = -15.59, df 2,
//            p = 1 - 15.588 / sqrt(15.588^2 + 2) = 0.0041: below random.
//   margin:  0.0225, 0.025, 0.0275: +2.50, t = 10 sqrt 3 = 17.32, p = 0.0033: above.
// Penalty matrix, L = 3 (at 100 all equal, no test): at 200 and 300 margin beats
// random and entropy, random beats entropy (each p < 0.02), so those entries
// are 2/3 and the column sums are random 0.67, entropy 1.33, margin 0.
const std::vector<double> random_acc[] = {{0.70, 0.75, 0.80}, {0.71, 0.76, 0.79}, {0.69, 0.74, 0.81}};
const std::vector<double> entropy_acc[] = {{0.70, 0.72, 0.76}, {0.71, 0.74, 0.75}, {0.69, 0.71, 0.78}};
const std::vector<double> margin_acc[] = {{0.70, 0.78, 0.83}, {0.71, 0.79, 0.83}, {0.69, 0.78, 0.84}};

void make_three(const made::comparison_folder& folder, double long_tail = 0) {
  for (std::uint64_t s = 0; s < 3; ++s) {
    const auto balanced = [&](const std::vector<double>& a) {
      return long_tail == 0 ? std::vector<double>{} : std::vector<double>{a[0] - 0.1, a[1] - 0.1, a[2] - 0.1};
    };
    folder.add_run({fmt::format("random-seed{}", s), s, {100, 200, 300}, random_acc[s],
                    balanced(random_acc[s]), long_tail});
    folder.add_run({fmt::format("entropy-seed{}", s), s, {100, 200, 300}, entropy_acc[s],
                    balanced(entropy_acc[s]), long_tail});
    folder.add_run({fmt::format("margin-seed{}", s), s, {100, 200, 300}, margin_acc[s],
                    balanced(margin_acc[s]), long_tail});
  }
  folder.write_index({{"random", {"random-seed0", "random-seed1", "random-seed2"}},
                      {"entropy", {"entropy-seed0", "entropy-seed1", "entropy-seed2"}},
                      {"margin", {"margin-seed0", "margin-seed1", "margin-seed2"}}});
}

}  // namespace

TEST_CASE("the report regenerates from the results alone, byte for byte", "[experiment][report]") {
  made::comparison_folder folder("regenerate");
  make_three(folder);
  const auto file = al::write_report(folder.path());
  CHECK(file == folder.path() / "report.md");
  const auto first = made::read(file);
  const auto first_svg = made::read(folder.path() / "curves.svg");
  CHECK_FALSE(std::filesystem::exists(folder.path() / "balanced-curves.svg"));
  CHECK_FALSE(std::filesystem::exists(folder.path() / "report.md.tmp"));

  std::filesystem::remove(file);
  std::filesystem::remove(folder.path() / "curves.svg");
  al::write_report(folder.path());
  CHECK(made::read(file) == first);
  CHECK(made::read(folder.path() / "curves.svg") == first_svg);

  SECTION("the tables hold the hand-computed numbers") {
    INFO(first);
    CHECK_THAT(first, Catch::Contains("| random (baseline, added) | 75.00 ± 0.50 | 3 |"));
    CHECK_THAT(first, Catch::Contains("| entropy | 72.75 ± 0.66 | 3 |"));
    CHECK_THAT(first, Catch::Contains("| margin | **77.50 ± 0.43** | 3 |"));
    CHECK_THAT(first, Catch::Contains("| entropy | -2.25 | -15.59 | 2 | 0.0041 | 3 | ⚠ **below random** |"));
    CHECK_THAT(first, Catch::Contains("| margin | +2.50 | 17.32 | 2 | 0.0033 | 3 | above random |"));
    CHECK_THAT(first, Catch::Contains("| 200 | 75.00 ± 1.00 | 72.33 ± 1.53 | 78.33 ± 0.58 |"));
    CHECK_THAT(first, Catch::Contains("| **random** | — | 0.67 | 0.00 |"));
    CHECK_THAT(first, Catch::Contains("| **entropy** | 0.00 | — | 0.00 |"));
    CHECK_THAT(first, Catch::Contains("| **margin** | 0.67 | 0.67 | — |"));
    CHECK_THAT(first, Catch::Contains("| losses (column sum) | 0.67 | 1.33 | 0.00 |"));
  }
  SECTION("the protocol, the plots and the plans are there") {
    CHECK_THAT(first, Catch::Contains("| data | fashion-mnist |"));
    CHECK_THAT(first, Catch::Contains("| pool | 10000 (subset seed 0) |"));
    CHECK_THAT(first, Catch::Contains("| test set | all of the test split |"));
    CHECK_THAT(first, Catch::Contains("| initial set | 100 labels |"));
    CHECK_THAT(first, Catch::Contains("| query size | 100 |"));
    CHECK_THAT(first, Catch::Contains("| cycles | 2 after the initial set |"));
    CHECK_THAT(first, Catch::Contains("| seeds | 0, 1, 2 |"));
    CHECK_THAT(first, Catch::Contains("| device | cpu (2 threads) |"));
    CHECK_THAT(first, Catch::Contains(
                          "| training recipe | `adam lr=0.001 weight_decay=0.0005 schedule=cosine "
                          "(to 0 at the last step) epochs=30 (at least 300 steps) batch_size=32, "
                          "from the seed's initial weights` |"));
    CHECK_THAT(first, Catch::Contains("| versions | alpipe 0.1.0; libtorch 1.13.1; fmt 90100;"));
    CHECK_THAT(first, Catch::Contains("All 9 runs finished."));
    CHECK_THAT(first, Catch::Contains("](curves.svg)"));
    CHECK_THAT(first, Catch::Contains(
                          "<details><summary>margin: <code>initial(random, 100) | cycle(2, "
                          "query(margin, 100))</code></summary>\n\n```text\nplan: 2 cycles"));
    CHECK_THAT(first, Catch::Contains("`alpipe report DIR`"));
    CHECK_THAT(first_svg, Catch::StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK_THAT(first_svg, Catch::Contains(">margin</text>"));
    CHECK_THAT(first_svg, Catch::Contains("stroke-dasharray"));  // the baseline
    CHECK_THAT(first_svg, Catch::Contains("<polygon points="));  // the std bands
    CHECK_THAT(first_svg, Catch::Contains(">labelled samples</text>"));
    CHECK_THAT(first_svg, Catch::EndsWith("</svg>\n"));
  }
}

TEST_CASE("an unfinished run is reported and left out, not averaged in", "[experiment][report]") {
  made::comparison_folder folder("unfinished-report");
  make_three(folder);
  // entropy's seed 2 stopped after its first query.
  folder.add_run({"entropy-seed2", 2, {100, 200}, {0.69, 0.71}, {}, 0, 2});
  const auto report = made::read(al::write_report(folder.path()));
  INFO(report);
  CHECK_THAT(report, Catch::Contains("⚠ **1 of 9 runs unfinished**") &&
                         Catch::Contains("`entropy-seed2` (2 of 3 cycles)"));
  // Seeds 0 and 1 only: AUBC 0.725 and 0.735, so 73.00 ± 0.71.
  CHECK_THAT(report, Catch::Contains("| entropy | 73.00 ± 0.71 | 2 |"));
  // Paired on those two seeds: differences -0.025, -0.02: t = -0.0225 / (0.003536 / sqrt 2) = -9.00.
  CHECK_THAT(report, Catch::Contains("| entropy | -2.25 | -9.00 | 1 |"));
  CHECK_THAT(report, Catch::Contains("| labelled | random (3 seeds) | entropy (2 seeds) | margin (3 seeds) |"));
  CHECK_THAT(report, Catch::Contains("over the 2 seeds every pipeline finished"));
}

TEST_CASE("identical runs and a single seed give no t, and say so", "[experiment][report]") {
  made::comparison_folder folder("identical");
  for (std::uint64_t s = 0; s < 2; ++s) {
    folder.add_run({fmt::format("random-seed{}", s), s, {100, 200, 300}, random_acc[s]});
    folder.add_run({fmt::format("copy-seed{}", s), s, {100, 200, 300}, random_acc[s]});
  }
  folder.add_run({"lonely-seed0", 0, {100, 200, 300}, margin_acc[0]});
  folder.write_index({{"random", {"random-seed0", "random-seed1"}},
                      {"copy", {"copy-seed0", "copy-seed1"}},
                      {"lonely", {"lonely-seed0"}}},
                     "[0, 1]");
  const auto report = made::read(al::write_report(folder.path()));
  INFO(report);
  CHECK_THAT(report, Catch::Contains("| copy | +0.00 | undefined (no spread) | 1 | — | 2 | identical to random on every seed (no test) |"));
  CHECK_THAT(report, Catch::Contains("| lonely | +2.25 | — | — | — | 1 | no test: fewer than 2 paired seeds |"));
  CHECK_THAT(report, !Catch::Contains("nan"));
  CHECK_THAT(report, Catch::Contains("Fewer than 2 seeds finished by every pipeline"));
}

TEST_CASE("a long-tailed pool adds balanced accuracy and its plot", "[experiment][report]") {
  made::comparison_folder folder("long-tail");
  make_three(folder, 0.1);
  const auto report = made::read(al::write_report(folder.path()));
  INFO(report);
  CHECK(std::filesystem::exists(folder.path() / "balanced-curves.svg"));
  CHECK_THAT(report, Catch::Contains("](balanced-curves.svg)"));
  CHECK_THAT(report, Catch::Contains("| long-tailed pool | yes, ρ = 0.1 |"));
  // Balanced accuracy is accuracy - 0.1 here, so balanced AUBC is AUBC - 10 points.
  CHECK_THAT(report, Catch::Contains("| margin | **77.50 ± 0.43** | **67.50 ± 0.43** | 3 |"));
  CHECK_THAT(report, Catch::Contains("| 300 | 70.00 ± 1.00 |"));
}

TEST_CASE("the report says where each stopping rule would have stopped, and a stopped run is finished",
          "[experiment][report][stopping]") {
  made::comparison_folder folder("stopping");
  // plateau (less than half a point over 3 cycles) fires after cycle 4, one
  // cycle before the end; stable_predictions (mean kappa of 3 cycles >=
  // 0.99) only at the last cycle, which saves nothing.
  std::vector<std::string> names;
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    made::run r{fmt::format("random-seed{}", seed), seed, {100, 200, 300, 400, 500, 600},
                {0.5, 0.7, 0.7, 0.7, 0.7, 0.72}};
    r.agreement = {0.9, 0.9, 0.995, 0.995, 0.995};
    folder.add_run(r);
    names.push_back(r.name);
  }
  folder.write_index({{"random", names}});
  const auto report = made::read(al::write_report(folder.path()));
  INFO(report);
  CHECK_THAT(report, Catch::Contains("## Where each stopping rule would have stopped"));
  const auto plateau_at = report.find("**plateau**");
  const auto stable_at = report.find("**stable_predictions**");
  REQUIRE(plateau_at != std::string::npos);
  REQUIRE(stable_at != std::string::npos);
  CHECK(report.find("| random | 3 of 3 | 500.0 | 100.0 | 2.0 |", plateau_at) < stable_at);
  CHECK(report.find("| random | 0 of 3 | — | — | — |", stable_at) != std::string::npos);

  SECTION("a run its rule stopped is finished; one that stopped short of it is not") {
    made::comparison_folder stopped("stopped");
    const std::string pipeline =
        "initial(random, 100) | cycle(until(plateau.cycles(1), 5), query(random, 100))";
    made::run ended{"random-seed0", 0, {100, 200, 300}, {0.5, 0.6, 0.6}};
    ended.pipeline = pipeline;
    made::run cut{"random-seed1", 1, {100, 200, 300}, {0.5, 0.6, 0.7}};
    cut.pipeline = pipeline;
    stopped.add_run(ended);
    stopped.add_run(cut);
    stopped.write_index({{"random", {"random-seed0", "random-seed1"}}}, "[0, 1]");
    CHECK(al::unfinished_runs(stopped.path()) == std::vector<std::string>{"random-seed1 (3 of 6 cycles)"});
  }
}
