// The `alpipe` command: the text DSL on the same engine as the C++ one.
//
//   alpipe explain "initial(random, 100) | cycle(6, query(entropy, 100))"
//   alpipe run "initial(random, 100) | cycle(6, query(entropy, 100))" --pool 20000 --seeds 0,1,2
//   alpipe compare "initial(random, 100) | cycle(6, query(entropy, 100))"
//                  "initial(random, 100) | cycle(6, query(margin, 100))" --pool 20000
//
// Exit status: 0 done, 2 a mistake in the command line or the pipeline,
// 1 a run that failed (missing data, diverged training, ...), 3 a run that
// stopped at a query for a person to label (--oracle human).

#include <al/al.hpp>
#include <al/compare.hpp>
#include <al/engine/threads.hpp>
#include <al/experiment/plot_curves.hpp>
#include <al/experiment/report.hpp>
#include <al/oracle/label_import.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace {

constexpr int usage_error = 2;
/// A run with a person as the oracle stopped at a query (not an error).
constexpr int waiting_for_labels = 3;

struct usage_problem {
  std::string message;
};

/// The stopping rules as `--help` spells them, from their table.
std::string stopping_rule_usages() {
  std::vector<std::string> usages;
  for (const auto& name : al::stopping_rule_words()) usages.push_back(al::find_stopping_rule(name)->usage);
  return fmt::format("{}", fmt::join(usages, ", "));
}

/// The help lines of the words `names`, from the word table: usage, then
/// the description wrapped under it where it does not fit.
std::string word_lines(const std::vector<std::string>& names) {
  constexpr std::size_t indent = 28;
  constexpr std::size_t width = 92;
  std::string out;
  for (const auto& name : names) {
    const auto word = al::find_word(name);
    std::string line = fmt::format("    {:<{}}", word->usage, indent - 5);
    if (line.size() >= indent) line = fmt::format("    {}\n{:{}}", word->usage, "", indent - 1);
    std::size_t column = line.size() - (line.rfind('\n') + 1);
    std::string_view rest = word->spec.description;
    while (!rest.empty()) {
      auto cut = rest.size();
      if (column + 1 + cut > width) {
        cut = rest.rfind(' ', width - column - 1);
        if (cut == std::string_view::npos || cut == 0) cut = rest.find(' ');
        if (cut == std::string_view::npos) cut = rest.size();
      }
      line += fmt::format(" {}", rest.substr(0, cut));
      rest.remove_prefix(std::min(rest.size(), cut + 1));
      if (!rest.empty()) {
        line += fmt::format("\n{:{}}", "", indent - 1);
        column = indent - 1;
      }
    }
    out += line + "\n";
  }
  return out;
}

/// One command's usage lines, as `alpipe --help` lists them.
struct command_usage {
  std::string_view name;
  std::string_view usage;
};
constexpr command_usage command_usages[] = {
    {"explain",
     "  alpipe explain \"<pipeline>\" [options]\n"
     "                                   print the expanded plan (with run's options:\n"
     "                                   also whether pretraining comes from the cache)\n"},
    {"run", "  alpipe run \"<pipeline>\" [options] run it (one results folder per seed)\n"},
    {"compare",
     "  alpipe compare \"<p1>\" \"<p2>\" ... [options] [--labels A,B,...] [--parallel N]\n"
     "                                   run every pipeline on every seed (default 0,1,2)\n"
     "                                   from the same start, add the random baseline, write\n"
     "                                   the report (--out default: results/comparison)\n"},
    {"label",
     "  alpipe label import FILE [--query DIR]\n"
     "                                   check a filled-in query.csv (the run's oracle is a\n"
     "                                   person) and keep its labels; rerun to continue\n"},
    {"words", "  alpipe words                     list the words of the pipeline language\n"},
    {"report",
     "  alpipe report DIR [--partial]    write DIR/report.md and its plots from a comparison\n"
     "                                   folder's results alone (see docs/comparisons.md);\n"
     "                                   while runs are missing or unfinished it lists them and\n"
     "                                   exits with status 1, unless --partial (a report of\n"
     "                                   the finished runs, the others named)\n"},
    {"plot",
     "  alpipe plot CSV SVG TITLE [YLABEL]\n"
     "                                   draw a lesson's curves.csv (arm,seed,cycle,labelled,\n"
     "                                   accuracy) as learning curves, mean +- 1 std\n"},
};

constexpr std::string_view run_options_help =
    "run (and explain) options:\n"
    "  --data NAME        fashion-mnist (default), mnist, cifar10, blobs\n"
    "  --data-folder DIR  where the data files are (default: $ALPIPE_DATA, then the\n"
    "                     Debian package's folder)\n"
    "  --pool N           pool size drawn from the training split (default: all)\n"
    "  --test N           test images used to evaluate (default: all)\n"
    "  --long-tail RHO    long-tailed pool: class c keeps n_max*RHO^(c/(K-1)) samples,\n"
    "                     RHO in (0, 1], e.g. 0.1 (default: off; the test set stays balanced)\n"
    "  --seeds LIST       comma-separated seeds, e.g. 0,1,2 (default: 0)\n"
    "  --device NAME      auto (default), cpu, cuda, cuda:N\n"
    "  --model NAME       auto (default: by the images' shape), small_cnn, cifar_cnn,\n"
    "                     resnet18 (for a GPU), mlp\n"
    "  --threads N        Torch threads (default 0: all cores; at most four per core)\n"
    "  --out DIR          parent folder of the results (default: results)\n"
    "  --quiet            no line per cycle\n"
    "  --wait             when another alpipe process works in the results folder,\n"
    "                     wait for it instead of stopping\n"
    "  --oracle WHO       who labels: ground-truth (default), noisy:RATE (each answer\n"
    "                     flipped to another class with probability RATE) or human (each\n"
    "                     query is written out and the run stops; exit status 3)\n"
    "  --distributed WHEN auto (default): train data-parallel over the processes of a job\n"
    "                     when WORLD_SIZE > 1 (torchrun, or a Slurm script that sets\n"
    "                     RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT); on: require a\n"
    "                     job; off: one process whatever the environment says\n";

constexpr std::string_view compare_options_help =
    "compare options (and run's):\n"
    "  --labels LIST      comma-separated labels, one per pipeline (default: the\n"
    "                     strategy of its first query)\n"
    "  --parallel N       runs at once (default: as many as cores); each run gets\n"
    "                     cores/N Torch threads unless --threads is given\n"
    "  --shard K/N        run only the K-th of N slices of the runs (K from 0 to N-1),\n"
    "                     one process per shard, e.g. a Slurm job array; the last\n"
    "                     shard to finish writes the report\n";

/// `alpipe COMMAND --help`: the command's usage and the options it takes.
std::string command_help(std::string_view command) {
  std::string out = "usage:\n";
  for (const auto& [name, usage] : command_usages) {
    if (name == command) out += usage;
  }
  if (command == "run" || command == "explain" || command == "compare") {
    out += fmt::format("\n{}", run_options_help);
  }
  if (command == "compare") out += fmt::format("\n{}", compare_options_help);
  if (command != "words") out += "\nthe pipeline language: alpipe words, alpipe --help\n";
  return out;
}

std::string help_text() {
  std::string usages;
  for (const auto& [name, usage] : command_usages) usages += usage;
  return fmt::format(
      "alpipe {} — compose and run deep active learning pipelines\n"
      "\n"
      "usage:\n"
      "{}"
      "  alpipe COMMAND --help            one command's usage and options\n"
      "  alpipe --help\n"
      "\n"
      "{}"
      "\n"
      "{}"
      "\n"
      "pipeline language (the same words as the C++ DSL):\n"
      "  stages\n"
      "    pretrain(simsiam|rotation)[.option(value)...]\n"
      "                       self-supervised pretraining on the pool, first of all;\n"
      "                       options: {}\n"
      "                       (projector and predictor: simsiam only)\n"
      "    initial(s, n)      label n samples chosen by strategy s to start\n"
      "    query(s, n)        score the pool, label the n best by s, retrain\n"
      "    cycle(n, body)     repeat body (one query, optionally a train) n times\n"
      "    cycle(until(rule, n), body)\n"
      "                       at most n times, ending the run once the rule fires\n"
      "                       (the last stage only); rules: {}\n"
      "    train[(adam|sgd)][.option(value)...]\n"
      "                       the training recipe from here on; options: {}\n"
      "  strategies (scorers rank one by one; set selectors choose a whole batch)\n"
      "{}"
      "  combinators\n"
      "{}"
      "\n"
      "example:\n"
      "  alpipe explain \"initial(random, 100) | cycle(6, query(entropy, 100))\"\n",
      al::version_string, usages, run_options_help, compare_options_help,
      fmt::join(al::pretrain_option_words(), ", "),
      stopping_rule_usages(), fmt::join(al::train_option_words(), ", "),
      word_lines(al::strategy_words()), word_lines(al::combinator_words()));
}

template <class Number>
Number parse_number(std::string_view option, std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw usage_problem{fmt::format("{} takes a whole number, got '{}'", option, text)};
  }
  return value;
}

/// --pool and --test: 0 (the whole split) or a number of images.
std::int64_t parse_size(std::string_view option, std::string_view text) {
  const auto size = parse_number<std::int64_t>(option, text);
  if (size < 0) {
    throw usage_problem{fmt::format("{} takes 0 (the whole split) or a number of images; got {}",
                                    option, size)};
  }
  return size;
}

/// --shard K/N: this process's slice of a comparison's runs.
std::pair<std::size_t, std::size_t> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    throw usage_problem{fmt::format("--shard takes K/N (this shard and how many), e.g. 0/3; got '{}'", text)};
  }
  const auto shard = parse_number<std::size_t>("--shard", text.substr(0, slash));
  const auto shards = parse_number<std::size_t>("--shard", text.substr(slash + 1));
  if (shards < 1 || shard >= shards) {
    throw usage_problem{fmt::format(
        "--shard {}: K/N needs N ≥ 1 and K from 0 to N-1 (a Slurm array --array=0-{} gives "
        "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)",
        text, shards > 0 ? shards - 1 : 0)};
  }
  return {shard, shards};
}

/// --threads and --parallel: 0 (every core) or 1 to four per core.
int parse_thread_count(std::string_view option, std::string_view text) {
  const auto count = parse_number<int>(option, text);
  try {
    al::engine::check_thread_count(count, std::string(option).c_str());
  } catch (const std::invalid_argument& e) {
    throw usage_problem{e.what()};
  }
  return count;
}

double parse_long_tail(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !(value > 0 && value <= 1)) {
    throw usage_problem{fmt::format(
        "--long-tail takes the ratio of the rarest class to the most frequent one, a number in "
        "(0, 1] such as 0.1 or 0.01; got '{}'",
        text)};
  }
  return value;
}

/// `auto`, `on` or `off`.
al::distributed_mode parse_distributed(std::string_view text) {
  if (text == "auto") return al::distributed_mode::automatic;
  if (text == "on") return al::distributed_mode::on;
  if (text == "off") return al::distributed_mode::off;
  throw usage_problem{fmt::format("--distributed takes auto, on or off, not '{}'", text)};
}

/// `ground-truth`, `noisy:RATE` or `human`.
al::oracle_config parse_oracle(std::string_view text) {
  if (text == "ground-truth") return al::ground_truth_oracle();
  if (text == "human") return al::human_oracle();
  if (text.starts_with("noisy:")) {
    const auto rate = text.substr(6);
    double value = -1;
    const auto [end, error] = std::from_chars(rate.data(), rate.data() + rate.size(), value);
    if (!rate.empty() && error == std::errc() && end == rate.data() + rate.size() && value >= 0 &&
        value < 1) {
      return al::noisy_oracle(value);
    }
  }
  throw usage_problem{fmt::format(
      "--oracle takes ground-truth, noisy:RATE with RATE in [0, 1) (e.g. noisy:0.1) or human; "
      "got '{}'",
      text)};
}

/// `alpipe label import FILE [--query DIR]`: checks a filled-in label file
/// against its query and keeps the answers for the run's next call.
int label_command(const std::vector<std::string_view>& args) {
  if (args.size() < 3 || args[1] != "import" || (args.size() != 3 && args.size() != 5) ||
      (args.size() == 5 && args[3] != "--query")) {
    throw usage_problem{"label takes: alpipe label import FILE [--query DIR] (DIR: the query "
                        "folder the run wrote, when FILE lies elsewhere)"};
  }
  const std::filesystem::path file{std::string(args[2])};
  const std::filesystem::path folder =
      args.size() == 5 ? std::filesystem::path(std::string(args[4])) : std::filesystem::path();
  // Says what happened: imported, replaced before the run used them, or
  // the same answers again (nothing written).
  fmt::print("{}\n", al::describe(al::import_answers(file, folder)));
  return 0;
}

std::vector<std::uint64_t> parse_seeds(std::string_view text) {
  std::vector<std::uint64_t> seeds;
  while (true) {
    const auto comma = text.find(',');
    seeds.push_back(parse_number<std::uint64_t>("--seeds", text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return seeds;
}

/// The options `run` and `explain` share: where the data and results are,
/// the seeds, the device.
struct run_options {
  al::config config;
  std::vector<std::uint64_t> seeds{0};
};

run_options parse_run_options(const std::vector<std::string_view>& options) {
  run_options out;
  auto& config = out.config;
  for (std::size_t i = 0; i < options.size(); ++i) {
    const auto option = options[i];
    if (option == "--quiet") {
      config.verbose = false;
      continue;
    }
    if (option == "--wait") {
      config.wait_for_lock = true;
      continue;
    }
    if (i + 1 >= options.size()) throw usage_problem{fmt::format("{} needs a value", option)};
    const auto value = options[++i];
    if (option == "--data") config.data.name = value;
    else if (option == "--data-folder") config.data.folder = value;
    else if (option == "--pool") config.data.pool_size = parse_size(option, value);
    else if (option == "--test") config.data.test_size = parse_size(option, value);
    else if (option == "--long-tail") config.data.long_tail = parse_long_tail(value);
    else if (option == "--seeds") out.seeds = parse_seeds(value);
    else if (option == "--device") config.device = value;
    else if (option == "--model") config.model = value;
    else if (option == "--threads") config.threads = parse_thread_count(option, value);
    else if (option == "--out") config.results_dir = value;
    else if (option == "--oracle") config.oracle = parse_oracle(value);
    else if (option == "--distributed") config.distributed = parse_distributed(value);
    else throw usage_problem{fmt::format("unknown option '{}'; see alpipe --help", option)};
  }
  config.seed = out.seeds.front();
  return out;
}

std::vector<std::string> parse_labels(std::string_view text) {
  std::vector<std::string> labels;
  while (true) {
    const auto comma = text.find(',');
    labels.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return labels;
}

/// `alpipe compare "<p1>" "<p2>" ... [options]`: the pipelines come first,
/// then run's options and compare's own.
int compare_command(const std::vector<std::string_view>& args) {
  std::vector<std::string_view> texts;
  std::size_t i = 1;
  for (; i < args.size() && !args[i].starts_with("--"); ++i) texts.push_back(args[i]);
  if (texts.empty()) {
    throw usage_problem{
        "compare needs pipelines in quotes before the options: alpipe compare "
        "\"initial(random, 100) | cycle(6, query(entropy, 100))\" \"...\""};
  }
  std::vector<std::string_view> options;
  std::vector<std::string> labels;
  al::compare_options compare;
  bool seeds_given = false;
  bool out_given = false;
  for (; i < args.size(); ++i) {
    const auto option = args[i];
    const bool own = option == "--labels" || option == "--parallel" || option == "--shard";
    if (!own) {
      seeds_given = seeds_given || option == "--seeds";
      out_given = out_given || option == "--out";
      options.push_back(option);
      continue;
    }
    if (i + 1 >= args.size()) throw usage_problem{fmt::format("{} needs a value", option)};
    const auto value = args[++i];
    if (option == "--labels") labels = parse_labels(value);
    else if (option == "--shard") std::tie(compare.shard, compare.shards) = parse_shard(value);
    else compare.parallel = parse_thread_count(option, value);
  }
  auto [config, seeds] = parse_run_options(options);
  // Three seeds by default: the fewest that give the paired test a chance.
  if (seeds_given) compare.seeds = seeds;
  if (!out_given) config.results_dir = "results/comparison";
  if (!labels.empty() && labels.size() != texts.size()) {
    throw usage_problem{fmt::format("--labels gives {} labels for {} pipelines; give one per pipeline",
                                    labels.size(), texts.size())};
  }
  std::vector<al::compared_pipeline> pipelines;
  std::set<std::string> taken;
  for (std::size_t k = 0; k < texts.size(); ++k) {
    auto plan = al::parse(texts[k]);
    std::string label;
    if (!labels.empty()) {
      label = labels[k];
      if (label.empty()) throw usage_problem{"--labels has an empty label; name every pipeline"};
      if (taken.contains(label)) {
        throw usage_problem{fmt::format("--labels names two pipelines '{}'; give each its own label", label)};
      }
    } else {
      // Two pipelines with the same first strategy: entropy, entropy-2.
      const auto wanted = al::default_label(plan);
      label = wanted;
      for (int n = 2; taken.contains(label); ++n) label = fmt::format("{}-{}", wanted, n);
    }
    taken.insert(label);
    pipelines.emplace_back(label, std::move(plan), std::string(texts[k]));
  }
  const auto result = al::compare(std::move(pipelines), config, compare);
  if (result.report.empty()) {
    // This shard is done; the others have runs left, and the last one reports.
    fmt::print("shard {}/{} finished; {} run(s) of {} left to other shards\n", compare.shard,
               compare.shards, result.unfinished.size(), config.results_dir.string());
    return 0;
  }
  fmt::print("{}\n", result.report.string());
  return 0;
}

int run_command(const al::plan& plan, const std::vector<std::string_view>& options) {
  auto [config, seeds] = parse_run_options(options);
  for (const auto seed : seeds) {
    config.seed = seed;
    const auto report = al::run_plan(plan, config);
    if (!report.waiting_for_labels.empty()) {
      fmt::print("seed {}: waiting for labels: fill in {}, then run\n  alpipe label import {}\n"
                 "and this command again\n",
                 seed, report.waiting_for_labels.string(), report.waiting_for_labels.string());
      return waiting_for_labels;
    }
    if (report.rank != 0) continue;  // rank 0 speaks for a data-parallel job
    fmt::print("seed {}: ", seed);
    for (const auto& cycle : report.cycles) {
      fmt::print("{}{} labels {:.2f}%", cycle.cycle == 0 ? "" : ", ", cycle.labelled,
                 100 * cycle.accuracy);
    }
    fmt::print("\nresults: {}\n", report.folder.string());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      fmt::print("{}", help_text());
      return args.empty() ? usage_error : 0;
    }
    // `alpipe COMMAND --help` wherever --help stands, before any other check.
    const bool known_command = std::any_of(std::begin(command_usages), std::end(command_usages),
                                           [&](const command_usage& c) { return c.name == args[0]; });
    if (known_command && std::any_of(args.begin() + 1, args.end(), [](std::string_view a) {
          return a == "--help" || a == "-h";
        })) {
      fmt::print("{}", command_help(args[0]));
      return 0;
    }
    if (args[0] == "words") {
      fmt::print("stages: {}\nstrategies: {}\ncombinators: {}\nstopping rules: {}\n"
                 "train options: {}\nschedules: {}\npretext tasks: {}\npretrain options: {}\n",
                 fmt::join(al::stage_words(), " "), fmt::join(al::strategy_words(), " "),
                 fmt::join(al::combinator_words(), " "),
                 fmt::join(al::stopping_rule_words(), " "),
                 fmt::join(al::train_option_words(), " "), fmt::join(al::schedule_words(), " "),
                 fmt::join(al::pretext_words(), " "), fmt::join(al::pretrain_option_words(), " "));
      return 0;
    }
    if (args[0] == "report") {
      const bool partial = args.size() == 3 && args[2] == "--partial";
      if (args.size() != 2 && !partial) {
        throw usage_problem{"report takes one comparison folder: alpipe report DIR [--partial]"};
      }
      const std::string folder(args[1]);
      if (!partial) {
        const auto unfinished = al::unfinished_runs(folder);
        if (!unfinished.empty()) {
          fmt::print(stderr,
                     "alpipe: the comparison in {} is not finished: {} run(s) missing or "
                     "unfinished:\n  {}\nrun the shards or the compare command that left them "
                     "(it resumes), or write a report of the finished runs with alpipe report "
                     "{} --partial\n",
                     folder, unfinished.size(), fmt::join(unfinished, "\n  "), folder);
          return 1;
        }
      }
      fmt::print("{}\n", al::write_report(folder).string());
      return 0;
    }
    if (args[0] == "plot") {
      if (args.size() != 4 && args.size() != 5) {
        throw usage_problem{"plot takes a curves.csv, the SVG to write and a title: alpipe plot "
                            "CSV SVG TITLE [YLABEL]"};
      }
      al::plot_curves(std::string(args[1]), std::string(args[2]), args[3],
                      args.size() == 5 ? args[4] : std::string_view("test accuracy (%)"));
      fmt::print("{}\n", args[2]);
      return 0;
    }
    if (args[0] == "compare") return compare_command(args);
    if (args[0] == "label") return label_command(args);
    if (args[0] != "explain" && args[0] != "run") {
      throw usage_problem{fmt::format("unknown command '{}'; use explain, run, compare, report, plot, label, words or --help", args[0])};
    }
    if (args.size() < 2) throw usage_problem{fmt::format("{} needs a pipeline in quotes", args[0])};
    const auto plan = al::parse(args[1]);
    if (args[0] == "explain") {
      // With run's options, it also says whether run will find the
      // pretrained encoder in the cache.
      const auto options = parse_run_options({args.begin() + 2, args.end()});
      fmt::print("{}", al::explain(plan, options.config));
      return 0;
    }
    return run_command(plan, {args.begin() + 2, args.end()});
  } catch (const usage_problem& problem) {
    fmt::print(stderr, "alpipe: {}\n", problem.message);
    return usage_error;
  } catch (const al::plan_error& error) {  // parse errors included
    fmt::print(stderr, "alpipe: {}\n", error.what());
    return usage_error;
  } catch (const std::exception& error) {
    fmt::print(stderr, "alpipe: {}\n", error.what());
    return 1;
  }
}
