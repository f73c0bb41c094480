// Whether the training recipe's last epoch can be trusted, measured two ways.
//
//   recipe_bench [--threads N] epochs [--labels N] [--seeds LIST] [--last N] [--pool N]
//                                     [--replay RUN_FOLDER --cycle K]
//     Trains the small CNN with the default recipe on random labelled sets of
//     Fashion-MNIST (or replays a run's training after cycle K: the same
//     labels, initial weights and data order), once per schedule (constant,
//     cosine), and prints the test accuracy after each of the last N epochs:
//     how far the evaluated model moves from one epoch to the next.
//   recipe_bench stability DIR [--name NAME] [--csv FILE] [--drop POINTS] [--first-seeds N]
//     Reads a comparison folder written by `alpipe compare` and prints, per
//     strategy, the mean ± seed std at every budget, how often accuracy
//     fell by more than POINTS when labels were added, and each strategy's
//     AUBC verdict against the baseline. With --csv it appends one row per
//     run and cycle in the lessons' curves.csv form (arm "strategy (NAME)",
//     seed, cycle, labelled, accuracy), which `alpipe plot` draws.
//
// The commands and figures are in docs/benchmarks.md ("The training recipe").

#include <CLI/CLI.hpp>
#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/threads.hpp>
#include <al/engine/training.hpp>
#include <al/experiment/comparison_folder.hpp>
#include <al/metrics.hpp>
#include <al/seed.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "stopwatch.hpp"

namespace {

using namespace al;

// --- epochs: the last epochs of one training ---------------------------------

struct epochs_options {
  std::int64_t labels = 2000;
  std::vector<std::uint64_t> seeds{0, 1, 2};
  std::int64_t last = 10;
  std::int64_t pool = 20000;
  std::filesystem::path replay;  // a run folder
  int replay_cycle = 1;
};

/// What one training starts from: the labelled samples, the initial weights'
/// seed and the data order's seed.
struct training_start {
  engine::labelled_images labelled;
  std::uint64_t weights_seed = 0;
  std::uint64_t shuffle_seed = 0;
  std::string what;
};

/// A run's training after cycle `cycle`, as the engine did it: the samples
/// labelled in cycles 0..cycle in their order (cycles.jsonl), the run's
/// initial weights and its data order (the seeds run.cpp derives).
training_start replayed(const engine::dataset& loaded, const std::filesystem::path& run, int cycle) {
  std::ifstream config_file(run / "config.json");
  const auto seed = nlohmann::json::parse(config_file).at("seed").get<std::uint64_t>();
  std::ifstream cycles(run / "cycles.jsonl");
  std::vector<std::int64_t> rows;
  std::string line;
  for (int c = 0; c <= cycle && std::getline(cycles, line); ++c) {
    const auto record = nlohmann::json::parse(line);  // kept: the loop reads inside it
    for (const auto& row : record.at("queried")) rows.push_back(row.get<std::int64_t>());
  }
  const auto index = torch::tensor(rows, torch::kLong);
  return {{loaded.train.images.index_select(0, index), loaded.train.labels.index_select(0, index)},
          derive_seed(seed, "weights"),
          derive_seed(seed, "shuffle", static_cast<std::uint64_t>(cycle)),
          fmt::format("{} cycle {} ({} labels)", run.filename().string(), cycle, rows.size())};
}

void last_epochs(const epochs_options& o) {
  data_config data;
  data.pool_size = o.pool;
  const auto loaded = engine::load_dataset(data);
  const engine::input_shape shape{loaded.train.images.size(1), loaded.train.images.size(2),
                                  loaded.train.images.size(3), loaded.num_classes()};
  std::vector<training_start> starts;
  if (!o.replay.empty()) {
    starts.push_back(replayed(loaded, o.replay, o.replay_cycle));
  } else {
    for (const auto seed : o.seeds) {
      starts.push_back({engine::random_subset(loaded.train, o.labels, seed), seed, seed,
                        fmt::format("seed {}, {} random labels", seed, o.labels)});
    }
  }
  fmt::print("small CNN, default recipe, pool of {}, test accuracy (%) after each of the last {} "
             "epochs\n",
             o.pool, o.last);
  for (const auto& start_from : starts) {
    for (const auto schedule : {lr_schedule::constant, lr_schedule::cosine}) {
      train_recipe recipe;
      recipe.schedule = schedule;
      torch::manual_seed(start_from.weights_seed);
      auto model = engine::make_small_cnn(shape);
      const auto& labelled = start_from.labelled;
      const auto seed = start_from.shuffle_seed;
      std::vector<double> accuracies;
      const auto start = bench::clock_type::now();
      const auto summary = engine::train_classifier(
          *model, labelled.images, labelled.labels, recipe, seed, {},
          [&](std::int64_t epoch, std::int64_t epochs) {
            if (epoch <= epochs - o.last) return;
            accuracies.push_back(100 * engine::evaluate(*model, loaded.test, loaded.num_classes()).accuracy);
            model->train();  // evaluate left it in eval mode
          });
      const auto [low, high] = std::minmax_element(accuracies.begin(), accuracies.end());
      fmt::print("{} {:<8} {:.2f} | last {}: {:.2f} (min {:.2f}, max {:.2f}, std {:.2f}) "
                 "[{} steps, {:.0f} s]\n",
                 start_from.what, to_string(schedule), accuracies.back(), o.last,
                 fmt::join(accuracies, " "), *low, *high,
                 summarize(accuracies).std, summary.steps, bench::seconds_since(start));
    }
  }
}

// --- stability: a finished comparison's curves --------------------------------

struct stability_options {
  std::filesystem::path folder;
  std::string name;
  std::filesystem::path csv;
  double drop_points = 2;
  std::size_t first_seeds = 0;  // 0: every seed of the comparison
};

void stability(const stability_options& o) {
  const auto comparison = read_comparison(o.folder);
  const auto name = o.name.empty() ? o.folder.filename().string() : o.name;
  std::ofstream csv;
  if (!o.csv.empty()) {
    const bool fresh = !std::filesystem::exists(o.csv);
    csv.open(o.csv, std::ios::app);
    if (!csv) throw std::runtime_error(fmt::format("cannot write {}", o.csv.string()));
    if (fresh) csv << "arm,seed,cycle,labelled,accuracy\n";
  }
  std::map<std::string, std::vector<double>> aubc_by_strategy;
  std::map<std::string, std::vector<std::uint64_t>> seeds_by_strategy;
  std::size_t drops = 0, steps = 0;
  double largest_fall = 0;
  std::vector<std::string> drop_lines;
  const auto seeds = o.first_seeds == 0 || o.first_seeds >= comparison.seeds.size()
                         ? comparison.seeds
                         : std::vector<std::uint64_t>(comparison.seeds.begin(),
                                                      comparison.seeds.begin() + static_cast<std::ptrdiff_t>(o.first_seeds));
  fmt::print("{}: accuracy (%) mean ± seed std per budget; finished runs only\n", name);
  for (const auto& pipeline : comparison.pipelines) {
    seed_curves curves;
    for (const auto& run : pipeline.runs) {
      if (!run.finished() || std::find(seeds.begin(), seeds.end(), run.settings.seed) == seeds.end()) {
        continue;
      }
      std::vector<double> accuracy;
      std::vector<std::int64_t> labelled;
      for (const auto& cycle : run.cycles) {
        accuracy.push_back(100 * cycle.accuracy);
        labelled.push_back(cycle.labelled);
        if (csv.is_open()) {
          csv << fmt::format("\"{} ({})\",{},{},{},{:.6f}\n", pipeline.label, name,
                             run.settings.seed, cycle.cycle, cycle.labelled, cycle.accuracy);
        }
      }
      for (std::size_t k = 1; k < accuracy.size(); ++k, ++steps) {
        largest_fall = std::max(largest_fall, accuracy[k - 1] - accuracy[k]);
        if (accuracy[k] < accuracy[k - 1] - o.drop_points) {
          ++drops;
          drop_lines.push_back(fmt::format("{} seed {}: {:.2f} at {} labels, {:.2f} at {}",
                                           pipeline.label, run.settings.seed, accuracy[k - 1],
                                           labelled[k - 1], accuracy[k], labelled[k]));
        }
      }
      curves.labelled = labelled;
      curves.by_seed.push_back(accuracy);
      aubc_by_strategy[pipeline.label].push_back(aubc(labelled, accuracy));
      seeds_by_strategy[pipeline.label].push_back(run.settings.seed);
    }
    if (curves.by_seed.empty()) continue;
    fmt::print("  {:<18}", pipeline.label);
    for (const auto& point : mean_curve(curves)) {
      fmt::print(" {}: {:.2f} ± {:.2f}", point.labelled, point.mean, point.std);
    }
    fmt::print("  ({} seeds)\n", curves.by_seed.size());
  }
  fmt::print("  drops of more than {:g} points when labels were added: {} of {} ({:.1f}%); "
             "largest fall {:.2f} points\n",
             o.drop_points, drops, steps, steps ? 100.0 * drops / steps : 0.0, largest_fall);
  for (const auto& line : drop_lines) fmt::print("    {}\n", line);
  const auto& baseline = aubc_by_strategy[comparison.baseline];
  for (const auto& [label, values] : aubc_by_strategy) {
    if (label == comparison.baseline) continue;
    // Runs are paired by seed; a comparison's strategies finish the same seeds
    // unless it was cut short, in which case the shorter list decides.
    const auto n = std::min(values.size(), baseline.size());
    const auto test = paired_t_test(std::span(values).first(n), std::span(baseline).first(n));
    fmt::print("  {:<18} AUBC {:.2f} vs {} {:.2f}: {:+.2f} points, {} (p {})\n", label,
               summarize(std::span(values).first(n)).mean, comparison.baseline,
               summarize(std::span(baseline).first(n)).mean, test.mean_difference,
               describe_verdict(test, comparison.baseline),
               !test.p ? std::string("-")
               : *test.p < 0.001 ? std::string("< 0.001")
                                 : fmt::format("= {:.3f}", *test.p));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"whether the training recipe's last epoch can be trusted"};
  app.require_subcommand(1);
  epochs_options epochs;
  auto* epochs_command = app.add_subcommand("epochs", "test accuracy over the last epochs of a training");
  epochs_command->add_option("--labels", epochs.labels, "labelled samples")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{60000}));
  epochs_command->add_option("--seeds", epochs.seeds, "seeds (labelled set and weights)")->delimiter(',');
  epochs_command->add_option("--last", epochs.last, "epochs reported")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{30}));
  epochs_command->add_option("--pool", epochs.pool, "pool the labels are drawn from")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{60000}));
  epochs_command->add_option("--replay", epochs.replay,
                             "a run folder: replay its training after --cycle (same labels, "
                             "weights and data order; give the run's --pool)")
      ->check(CLI::ExistingDirectory);
  epochs_command->add_option("--cycle", epochs.replay_cycle, "the cycle to replay")
      ->check(CLI::Range(0, 10000));
  int threads = 0;
  app.add_option("--threads", threads, "Torch threads (0: every core; a comparison run with "
                                       "--parallel 2 on 2 cores used 1)")
      ->check(CLI::Range(0, 1024));
  stability_options stable;
  auto* stability_command = app.add_subcommand("stability", "a comparison folder's curves and drops");
  stability_command->add_option("folder", stable.folder, "a folder written by alpipe compare")
      ->required()
      ->check(CLI::ExistingDirectory);
  stability_command->add_option("--name", stable.name, "the name in the output (default: the folder's)");
  stability_command->add_option("--csv", stable.csv, "append one row per run and cycle to this CSV");
  stability_command->add_option("--drop", stable.drop_points, "a fall of more than this many points is a drop")
      ->check(CLI::Range(0.0, 100.0));
  stability_command->add_option("--first-seeds", stable.first_seeds,
                                "only the comparison's first N seeds (0: all)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}));
  CLI11_PARSE(app, argc, argv);
  try {
    engine::set_torch_threads(threads);
    if (*epochs_command) last_epochs(epochs);
    if (*stability_command) stability(stable);
  } catch (const std::exception& e) {
    fmt::print(stderr, "recipe_bench: {}\n", e.what());
    return 1;
  }
}
