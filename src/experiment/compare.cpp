// al::compare: the fair protocol as one call. Every pipeline runs on every
// seed with the same data config; the engine derives the initial set and the
// initial weights from the seed alone, so for one seed all pipelines start
// from the same point. Lives in the engine library because it calls
// run_plan; the folder it writes is read by the experiment library.

#include <al/compare.hpp>

#include <al/experiment/report.hpp>
#include <al/parse.hpp>
#include <al/plan_error.hpp>
#include <al/run.hpp>
#include <al/strategy/balanced.hpp>
#include <al/words.hpp>

#include "../oracle/folder_lock.hpp"
#include "../oracle/atomic_file.hpp"

#include <al/engine/devices.hpp>
#include <al/engine/threads.hpp>

#include <fmt/format.h>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/cartesian_product.hpp>
#include <range/v3/view/drop.hpp>
#include <range/v3/view/indices.hpp>
#include <range/v3/view/stride.hpp>
#include <range/v3/view/transform.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

namespace al {
namespace {

/// The label of a strategy as the text DSL spells it, shortened where the
/// full spelling would only add numbers a reader already sees in the plan.
std::string spec_label(const selector_spec& spec) {
  if (spec.inner.empty()) return spec.name;
  // prefilter(s, m) >> set, as its word's grammar writes it.
  const auto word = find_word(spec.name);
  if (word && word->takes_set_selector_after && spec.inner.size() == 2) {
    return fmt::format("{}>>{}", spec_label(spec.inner[0]), spec_label(spec.inner[1]));
  }
  std::vector<std::string> parts;
  for (const auto& inner : spec.inner) parts.push_back(spec_label(inner));
  if (spec.parameter != 0) parts.push_back(fmt::format("{:g}", spec.parameter));
  return fmt::format("{}({})", spec.name, fmt::join(parts, ", "));
}

/// True when the plan queries at least once and every query is `wanted`:
/// such a pipeline already is the baseline `wanted` stands for.
bool queries_only(const plan& p, const selector_spec& wanted) {
  bool any = false;
  for (const auto& s : p.steps) {
    if (const auto* select = std::get_if<select_step>(&s)) {
      if (select->selector.name != wanted.name || select->selector.inner != wanted.inner) {
        return false;
      }
      any = true;
    }
  }
  return any;
}

/// `first` with every query made by `spec`: the same pretraining, initial
/// set, recipes, cycle count and query sizes, so the baseline differs from
/// the pipeline in the query strategy alone.
plan with_queries_by(const plan& first, const selector_spec& spec) {
  plan out = first;
  for (auto& s : out.steps) {
    if (auto* select = std::get_if<select_step>(&s)) select->selector = spec;
    if (auto* score = std::get_if<score_step>(&s)) *score = scoring_for(score->cycle, spec);
    // MCDAL's auxiliary heads exist for its selection; the plan builder sets
    // them only when a query uses mcdal, and so does this copy.
    if (auto* train = std::get_if<train_step>(&s)) train->recipe.auxiliary_heads = false;
  }
  return out;
}

/// The text of a baseline made from `first` — only when it reads back as
/// exactly `baseline`; a recipe the strategy forced (TOD's warm start) would
/// not, and then the record says nothing rather than something untrue.
std::string baseline_text(const compared_pipeline& first, const plan& baseline,
                          const std::string& strategy) {
  if (first.text.empty()) return {};
  try {
    const auto text = replace_query_strategies(first.text, strategy);
    if (text && parse(*text) == baseline) return *text;
  } catch (const plan_error&) {
  }
  return {};
}

std::string unique_label(const std::string& wanted, const std::set<std::string>& taken) {
  if (!taken.contains(wanted)) return wanted;
  for (int n = 2;; ++n) {
    auto label = fmt::format("{}-{}", wanted, n);
    if (!taken.contains(label)) return label;
  }
}

/// Adds the protocol's baselines in front of the user's pipelines and
/// returns the baseline's label.
std::string add_baselines(std::vector<compared_pipeline>& pipelines, std::vector<bool>& added,
                          const config& c, bool enabled) {
  const auto random_spec = to_spec(al::random);
  const auto balanced_random_spec = balanced_spec(random_spec);
  std::string baseline;
  for (const auto& p : pipelines) {
    if (queries_only(p.expanded, random_spec)) {
      baseline = p.label;
      break;
    }
  }
  if (!enabled) return baseline.empty() ? "random" : baseline;

  std::set<std::string> taken;
  for (const auto& p : pipelines) taken.insert(p.label);
  std::vector<compared_pipeline> baselines;
  const auto& first = pipelines.front();
  const auto add = [&](const selector_spec& spec, const std::string& spelling) {
    auto steps = with_queries_by(first.expanded, spec);
    auto text = baseline_text(first, steps, spelling);
    auto label = unique_label(spelling, taken);
    taken.insert(label);
    baselines.emplace_back(label, std::move(steps), std::move(text));
    return label;
  };
  if (baseline.empty()) baseline = add(random_spec, "random");
  const bool has_balanced_random = std::any_of(pipelines.begin(), pipelines.end(), [&](const auto& p) {
    return queries_only(p.expanded, balanced_random_spec);
  });
  // On a long-tailed pool plain random mostly labels the head classes; the
  // fair bar there is random with an equal quota per predicted class.
  if (c.data.long_tail != 0 && !has_balanced_random) add(balanced_random_spec, "balanced(random)");

  added.assign(baselines.size(), true);
  added.resize(baselines.size() + pipelines.size(), false);
  for (auto& p : pipelines) baselines.push_back(std::move(p));
  pipelines = std::move(baselines);
  return baseline;
}

void check_input(const std::vector<compared_pipeline>& pipelines, const compare_options& options,
                 const config& c) {
  if (pipelines.empty()) {
    throw std::invalid_argument(
        "compare needs at least one pipeline, e.g. al::compare({{\"entropy\", initial(random, 100) "
        "| cycle(6, query(entropy, 100))}}, config)");
  }
  std::map<std::string, std::string> label_of_folder;
  for (const auto& p : pipelines) {
    if (p.label.empty()) {
      throw std::invalid_argument(
          "a compared pipeline has an empty label; give each one a name, e.g. \"entropy\" "
          "(al::default_label(plan) derives one)");
    }
    const auto folder = folder_label(p.label);
    const auto [found, fresh] = label_of_folder.emplace(folder, p.label);
    if (fresh) continue;
    if (found->second == p.label) {
      throw std::invalid_argument(fmt::format(
          "the label '{}' is given to two pipelines; give each pipeline its own label, "
          "e.g. '{}' and '{}-2'",
          p.label, p.label, p.label));
    }
    throw std::invalid_argument(fmt::format(
        "the labels '{}' and '{}' both name the run folder '{}-seed<s>'; rename one of them",
        found->second, p.label, folder));
  }
  if (options.seeds.empty()) {
    throw std::invalid_argument("compare needs at least one seed; at least 3 (0, 1, 2) for a paired test");
  }
  const std::set<std::uint64_t> distinct(options.seeds.begin(), options.seeds.end());
  if (distinct.size() != options.seeds.size()) {
    throw std::invalid_argument(fmt::format(
        "the seeds {} repeat one; a repeated seed repeats a run and fakes agreement, list each once",
        fmt::join(options.seeds, ",")));
  }
  if (options.shards < 1 || options.shard >= options.shards) {
    throw std::invalid_argument(fmt::format(
        "shard {} of {} does not exist: --shard K/N takes N ≥ 1 and K from 0 to N − 1 (a Slurm "
        "array --array=0-{} gives $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)",
        options.shard, options.shards, options.shards > 0 ? options.shards - 1 : 0));
  }
  // A comparison's runs are spread over processes by --shard; data-parallel
  // training is one run's, over the processes of a job.
  const char* world = std::getenv("WORLD_SIZE");
  const bool in_a_job = world != nullptr && *world != '\0' && std::string_view(world) != "1";
  if (c.distributed == distributed_mode::on ||
      (c.distributed == distributed_mode::automatic && in_a_job)) {
    throw std::invalid_argument(fmt::format(
        "compare runs each run in one process{}: spread a comparison over processes with --shard "
        "K/N (docs/comparisons.md), train one run data-parallel with alpipe run, or ignore the "
        "job's variables with --distributed off",
        in_a_job ? fmt::format(", but WORLD_SIZE={} says this process is one rank of a job", world)
                 : std::string()));
  }
  if (options.parallel < 0 || options.parallel > engine::max_threads()) {
    throw std::invalid_argument(fmt::format(
        "parallel (--parallel) must be 0 (as many runs at once as cores allow) or from 1 to {} "
        "(four per core), got {}",
        engine::max_threads(), options.parallel));
  }
}

/// What makes two comparisons the same: comparison.json without the counts
/// of runs and threads at once, which change how fast it goes, not what it is.
std::string comparison_identity(std::string_view json_text) {
  auto j = nlohmann::ordered_json::parse(json_text);
  j.erase("parallel");
  j.erase("threads_per_run");
  return j.dump(2);
}

/// A comparison folder holds one comparison, resumed when the same command
/// runs again; another one is refused before any run, as a run folder
/// refuses another run.
void check_same_comparison(const std::filesystem::path& file, const std::string& wanted) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  const std::string found((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string found_identity;
  try {
    found_identity = comparison_identity(found);
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(fmt::format(
        "{} is damaged (not the JSON alpipe writes); move the comparison folder away or give "
        "this comparison another folder (config.results_dir; alpipe: --out)",
        file.string()));
  }
  if (found_identity != comparison_identity(wanted)) {
    throw std::invalid_argument(fmt::format(
        "the folder {} holds another comparison (its comparison.json names other pipelines, "
        "labels or seeds); a folder holds one comparison, resumed when the same command runs "
        "again: give this one another folder (config.results_dir; alpipe: --out) or delete "
        "that one",
        file.parent_path().string()));
  }
}

std::string run_folder(const compared_pipeline& p, std::uint64_t seed) {
  return fmt::format("{}-seed{}", folder_label(p.label), seed);
}

/// comparison.json, in the format read_comparison reads (docs/comparisons.md);
/// `parallel` and `threads_per_run` are extra, for a reader who wonders.
std::string comparison_json(const std::vector<compared_pipeline>& pipelines,
                            const std::vector<bool>& added, const std::string& baseline,
                            const std::vector<std::uint64_t>& seeds, int parallel, int threads) {
  nlohmann::ordered_json j;
  j["format"] = 1;
  j["seeds"] = seeds;
  j["baseline"] = baseline;
  j["parallel"] = parallel;
  j["threads_per_run"] = threads;
  auto& list = j["pipelines"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < pipelines.size(); ++i) {
    std::vector<std::string> runs;
    for (const auto seed : seeds) runs.push_back(run_folder(pipelines[i], seed));
    list.push_back({{"label", pipelines[i].label},
                    {"text", pipelines[i].text},
                    {"added", bool(added[i])},
                    {"runs", runs}});
  }
  return j.dump(2) + "\n";
}

struct job {
  std::size_t pipeline = 0;
  std::uint64_t seed = 0;
};

}  // namespace

std::string default_label(const plan& p) {
  for (const auto& s : p.steps) {
    if (const auto* select = std::get_if<select_step>(&s)) return spec_label(select->selector);
  }
  return "initial";
}

std::string folder_label(const std::string& label) {
  std::string out;
  for (const char c : label) {
    const bool kept = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
    if (kept) out += c;
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  // No hidden folder, no "..", no name read as a command-line option.
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  while (!out.empty() && (out.front() == '-' || out.front() == '.')) out.erase(out.begin());
  return out.empty() ? "pipeline" : out;
}

comparison_result compare(std::vector<compared_pipeline> pipelines, const config& c,
                          compare_options options) {
  check_input(pipelines, options, c);
  std::vector<bool> added;
  const auto baseline = add_baselines(pipelines, added, c, options.add_baselines);
  if (added.empty()) added.assign(pipelines.size(), false);

  // Seed by seed, so a comparison stopped early holds whole seeds; a shard
  // takes every N-th job, so each shard gets a share of every seed.
  const auto all_jobs = ranges::views::cartesian_product(
                            options.seeds, ranges::views::indices(pipelines.size())) |
                        ranges::views::transform([](const auto& pair) {
                          const auto& [seed, pipeline] = pair;
                          return job{pipeline, seed};
                        }) |
                        ranges::to<std::vector>();
  const auto jobs = all_jobs | ranges::views::drop(static_cast<std::ptrdiff_t>(options.shard)) |
                    ranges::views::stride(static_cast<std::ptrdiff_t>(options.shards)) |
                    ranges::to<std::vector>();
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int parallel = std::max(1, std::min(static_cast<int>(jobs.size()),
                                            options.parallel > 0 ? options.parallel : cores));
  // Every run gets the same Torch thread count, whichever run it is, so a
  // run's numbers do not depend on which others share the machine with it.
  const int threads = c.threads > 0 ? c.threads : std::max(1, cores / parallel);
  engine::check_thread_count(threads);
  // A device that cannot be had stops the comparison before any run. With
  // `cuda` or `auto` and several GPUs, each worker keeps one GPU of its own
  // (engine::device_of_worker), so --parallel N spreads the runs over them.
  engine::resolve_device(c.device);
  const int cuda_devices = static_cast<int>(torch::cuda::device_count());

  const auto folder = c.results_dir;
  std::filesystem::create_directories(folder);
  // One process at a time per shard of the comparison (its runs lock their
  // own folders as well, so shards never run the same run twice).
  const auto lock_name = options.shards == 1
                             ? std::string("comparison.lock")
                             : fmt::format("comparison-shard-{}-of-{}.lock", options.shard,
                                           options.shards);
  const auto lock_owner =
      options.shards == 1
          ? fmt::format("the comparison folder {}", folder.string())
          : fmt::format("shard {}/{} of the comparison in {}", options.shard, options.shards,
                        folder.string());
  const oracle_detail::folder_lock lock(
      folder / lock_name, lock_owner,
      c.wait_for_lock ? oracle_detail::folder_lock::when_held::wait
                      : oracle_detail::folder_lock::when_held::fail);
  const auto record =
      comparison_json(pipelines, added, baseline, options.seeds, parallel, threads);
  check_same_comparison(folder / "comparison.json", record);
  // Before any run: a comparison killed half-way can still be reported
  // (unfinished runs are listed as such) and run again.
  oracle_detail::write_file_atomically(folder / "comparison.json", record);

  std::vector<std::exception_ptr> errors(jobs.size());
  std::atomic<std::size_t> next{0};
  std::size_t finished = 0;
  std::mutex print_mutex;
  const auto work = [&](int worker) {
    for (std::size_t k = next++; k < jobs.size(); k = next++) {
      const auto& p = pipelines[jobs[k].pipeline];
      auto run_config = c;
      run_config.device = engine::device_of_worker(c.device, worker, cuda_devices);
      run_config.seed = jobs[k].seed;
      run_config.threads = threads;
      run_config.distributed = distributed_mode::off;
      run_config.run_name = run_folder(p, jobs[k].seed);
      std::string failure;
      try {
        run_plan(p.expanded, run_config);
      } catch (const std::exception& error) {
        errors[k] = std::current_exception();
        failure = error.what();
      } catch (...) {
        errors[k] = std::current_exception();
        failure = "an unknown error";
      }
      std::lock_guard lock(print_mutex);
      ++finished;
      if (c.verbose) {
        fmt::print("[compare] {} seed {} {} ({}/{})\n", p.label, jobs[k].seed,
                   failure.empty() ? "done" : "failed: " + failure, finished, jobs.size());
        std::fflush(stdout);
      }
    }
  };
  if (c.verbose && engine::device_of_worker(c.device, 1, cuda_devices) != c.device) {
    fmt::print("[compare] {} runs at a time over {} CUDA devices: worker k runs on cuda:(k mod {})\n",
               parallel, cuda_devices, cuda_devices);
  }
  if (parallel <= 1) {
    work(0);
  } else {
    std::vector<std::thread> workers;
    for (int i = 0; i < parallel; ++i) workers.emplace_back(work, i);
    for (auto& worker : workers) worker.join();
  }

  const auto failed = static_cast<std::size_t>(
      std::count_if(errors.begin(), errors.end(), [](const auto& e) { return e != nullptr; }));
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    if (!errors[k]) continue;
    const auto where = fmt::format("{} seed {}", pipelines[jobs[k].pipeline].label, jobs[k].seed);
    const auto others = failed > 1 ? fmt::format(" ({} of {} runs failed, the others finished)",
                                                 failed, jobs.size())
                                   : std::string(" (the other runs finished)");
    // A mistake in the pipeline stays a plan_error, so a caller (the
    // command line) can tell it from a failed run.
    try {
      std::rethrow_exception(errors[k]);
    } catch (const plan_error& error) {
      throw plan_error(fmt::format("{}: {}{}", where, error.what(), others));
    } catch (const std::exception& error) {
      throw std::runtime_error(fmt::format("{}: {}{}", where, error.what(), others));
    } catch (...) {
      throw std::runtime_error(fmt::format("{}: an unknown error{}", where, others));
    }
  }

  comparison_result result;
  result.folder = folder;
  result.parallel = parallel;
  result.threads_per_run = threads;
  // Other shards may still have runs to do: the last one to finish reports.
  // One process that ran every job reports whatever is unfinished (a run
  // waiting for a person's labels), as the report marks such runs.
  result.unfinished = unfinished_runs(folder);
  if (options.shards > 1 && !result.unfinished.empty()) {
    if (c.verbose) {
      fmt::print("[compare] shard {}/{} done; {} run(s) of the comparison not finished yet, so no "
                 "report: {}\n",
                 options.shard, options.shards, result.unfinished.size(),
                 fmt::join(result.unfinished, ", "));
    }
    return result;
  }
  result.report = write_report(folder);
  result.record = read_comparison(folder);
  return result;
}

}  // namespace al
