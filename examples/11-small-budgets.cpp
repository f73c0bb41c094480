// Lesson 11 — small budgets: typical and covering samples first, and when
// to stop.
//
// At 10 to 200 labels, uncertainty sampling has little to stand on: the
// model that scores the pool learnt from a handful of images. TypiClust
// (Hacohen, Dekel and Weinshall, ICML 2022) and ProbCover (Yehuda et al.,
// NeurIPS 2022) ask instead for *typical* samples of regions no label covers
// yet, in the embedding; both choose the initial set too. Here, from 10 to
// 200 labels in queries of 10, then 20, on several seeds, with and without
// SimSiam pretraining (whose fixed embedding TypiClust and ProbCover then
// measure in): random, entropy, margin, coreset, typiclust, probcover, and
// typiclust switching to margin once 50 labels are in:
//
//   initial(typiclust, 10) | cycle(4, query(typiclust, 10))
//                          | cycle(5, query(margin, 10)) | cycle(5, query(margin, 20))
//
// Each setting is one al::compare: the same seeds, the same initial weights
// and, for the strategies that cannot start cold, the same random initial
// set; report.md in each folder holds the paired tests against random and
// where each stopping rule (al/stopping_rule.hpp) would have stopped each
// strategy, from the statistics every run records per cycle.
//
// Run it:   build/examples/11-small-budgets [--smoke] [--seeds N] [--pool N] [--out DIR]
//                                          [--device NAME] [--model NAME]
//                                          [--pretrain-epochs N] [--pretrain-lr X]
// Measured curves: docs/course/11-small-budgets.md.

#include "comparison_curves.hpp"
#include "lesson_options.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>
#include <al/compare.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

/// The seven strategies after `front` (pretraining and recipe, or the
/// recipe alone): 10 labels to start, nine queries of 10, five of 20.
template <class Front>
std::vector<al::compared_pipeline> strategies(const Front& front, bool smoke) {
  using namespace al;
  const int small = smoke ? 1 : 9, large = smoke ? 1 : 5, switch_at = smoke ? 1 : 4;
  const auto rest = [&](const auto& word) {
    return cycle(small, query(word, 10)) | cycle(large, query(word, 20));
  };
  return {{"random", front | initial(al::random, 10) | rest(al::random)},
          {"entropy", front | initial(al::random, 10) | rest(entropy)},
          {"margin", front | initial(al::random, 10) | rest(margin)},
          {"coreset", front | initial(al::random, 10) | rest(coreset)},
          {"typiclust", front | initial(typiclust, 10) | rest(typiclust)},
          {"probcover", front | initial(probcover, 10) | rest(probcover)},
          {"typiclust>margin", front | initial(typiclust, 10) |
                                   cycle(switch_at, query(typiclust, 10)) |
                                   cycle(small - switch_at + (smoke ? 1 : 0), query(margin, 10)) |
                                   cycle(large, query(margin, 20))}};
}

/// Where each built-in stopping rule, at its defaults, would have stopped
/// each run: setting,rule,arm,seed,stop_cycle,stop_labelled,stop_accuracy,
/// final_labelled,final_accuracy (stop fields empty: it never fired).
void write_stopping(const std::string& setting, const al::comparison_record& record,
                    std::ofstream& out) {
  for (const auto& name : al::stopping_rule_words()) {
    const auto rule = al::find_stopping_rule(name)->defaults;
    for (const auto& pipeline : record.pipelines) {
      for (const auto& run : pipeline.runs) {
        const auto evidence = al::stopping_evidence_of(run);
        const auto& last = run.cycles.back();
        std::string stop_fields = ",,";
        if (const auto at = al::would_stop_at(rule, evidence)) {
          const auto& c = run.cycles[static_cast<std::size_t>(*at)];
          stop_fields = fmt::format("{},{},{:.6f}", c.cycle, c.labelled, c.accuracy);
        }
        out << fmt::format("{},{},\"{}\",{},{},{},{:.6f}\n", setting, name, pipeline.label,
                           run.settings.seed, stop_fields, last.labelled, last.accuracy);
      }
    }
  }
}

int lesson(int argc, char** argv) {
  using namespace al;

  lessons::lesson_options options;
  options.pool = 10000;
  options.seeds = 5;
  options.has_pretraining = true;
  config c;
  c.results_dir = "results/small-budgets";
  if (const auto stop = lessons::parse_lesson_options(argc, argv, options, c)) return *stop;
  const bool smoke = options.smoke;
  c.data.pool_size = smoke ? 1000 : options.pool;
  c.data.test_size = smoke ? 500 : 0;
  c.verbose = false;

  const auto recipe = smoke ? train.epochs(2).min_steps(20) : train;
  const auto simsiam_recipe = lessons::with_pretraining_options(pretrain(simsiam), options);
  const auto root = c.results_dir;
  compare_options compare_with;
  compare_with.seeds.clear();
  for (int s = 0; s < options.seeds; ++s) compare_with.seeds.push_back(static_cast<std::uint64_t>(s));

  std::filesystem::create_directories(root);
  std::ofstream stopping(root / "stopping.csv");
  stopping << "setting,rule,arm,seed,stop_cycle,stop_labelled,stop_accuracy,final_labelled,"
              "final_accuracy\n";
  const auto scratch = strategies(recipe, smoke);
  const auto pretrained = strategies(simsiam_recipe | recipe.probe_first(), smoke);
  fmt::print("{}", explain(pretrained.back().expanded, c));
  for (const auto& [name, pipelines, csv_name] :
       {std::tuple{"scratch", &scratch, "curves.csv"},
        std::tuple{"simsiam", &pretrained, "curves-simsiam.csv"}}) {
    c.results_dir = root / name;
    const auto result = compare(*pipelines, c, compare_with);
    lessons::write_comparison_curves(result.record, root / csv_name);
    write_stopping(name, result.record, stopping);
    fmt::print("\n{}: {}\n", name, result.report.string());
  }
  fmt::print("\ncurves: {} and {}; stopping rules: {}\n", (root / "curves.csv").string(),
             (root / "curves-simsiam.csv").string(), (root / "stopping.csv").string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
