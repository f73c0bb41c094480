// Reads a comparison folder. Every error names the file (and the line) and
// says what to do, because the person reading it has only the folder.

#include <al/experiment/comparison_folder.hpp>
#include <al/experiment/plan_json.hpp>
#include <al/parse.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace al {

std::vector<stopping_evidence> stopping_evidence_of(const run_record& run) {
  std::vector<stopping_evidence> evidence;
  for (const auto& c : run.cycles) evidence.push_back({c.cycle, c.labelled, c.accuracy, c.agreement});
  return evidence;
}

namespace {

using json = nlohmann::json;

constexpr std::string_view rerun_fix =
    "run the comparison again (alpipe compare) to rewrite it, or remove the run from "
    "comparison.json";

std::string read_text(const std::filesystem::path& file, std::string_view fix) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error(fmt::format("cannot read {}: {}; {}", file.string(),
                                         std::filesystem::exists(file) ? "not readable" : "no such file",
                                         fix));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json parse_object(const std::filesystem::path& file, std::string_view fix) {
  const auto text = read_text(file, fix);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& error) {
    throw std::runtime_error(
        fmt::format("{} is not valid JSON ({}); {}", file.string(), error.what(), fix));
  }
  if (!j.is_object()) {
    throw std::runtime_error(
        fmt::format("{} must hold a JSON object {{...}}; {}", file.string(), fix));
  }
  return j;
}

// The field `key` of `j` as a T, or `fallback` when absent or null: readers
// ignore what they do not know and tolerate what older writers left out, but
// a field of the wrong type is an error.
template <class T>
T field_or(const json& j, const char* key, T fallback, const std::filesystem::path& file,
           std::string_view fix) {
  const auto found = j.find(key);
  if (found == j.end() || found->is_null()) return fallback;
  try {
    return found->get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(fmt::format("{}: field \"{}\" has the wrong type ({}); {}",
                                         file.string(), key, found->dump(), fix));
  }
}

template <class T>
T required_field(const json& j, const char* key, const std::filesystem::path& file,
                 std::string_view fix) {
  if (!j.contains(key) || j[key].is_null()) {
    throw std::runtime_error(
        fmt::format("{}: the field \"{}\" is missing; {}", file.string(), key, fix));
  }
  return field_or<T>(j, key, T{}, file, fix);
}

run_settings read_settings(const std::filesystem::path& file) {
  const auto j = parse_object(file, rerun_fix);
  run_settings s;
  s.seed = field_or<std::uint64_t>(j, "seed", 0, file, rerun_fix);
  s.device = field_or<std::string>(j, "device", "", file, rerun_fix);
  s.threads = field_or<int>(j, "threads", 0, file, rerun_fix);
  s.model = field_or<std::string>(j, "model", "", file, rerun_fix);
  // The engine nests the data settings ("data": {"name": ..., "pool_size": ...});
  // a flat layout ("data": "fashion-mnist", "pool_size": ...) reads as well.
  const json* data = &j;
  if (const auto found = j.find("data"); found != j.end()) {
    if (found->is_string()) s.data = found->get<std::string>();
    else if (found->is_object()) data = &*found;
  }
  if (data != &j) s.data = field_or<std::string>(*data, "name", "", file, rerun_fix);
  s.pool_size = field_or<std::int64_t>(*data, "pool_size", 0, file, rerun_fix);
  s.test_size = field_or<std::int64_t>(*data, "test_size", 0, file, rerun_fix);
  s.subset_seed = field_or<std::uint64_t>(*data, "subset_seed", 0, file, rerun_fix);
  s.long_tail = field_or<double>(*data, "long_tail", 0.0, file, rerun_fix);
  return s;
}

std::vector<std::pair<std::string, std::string>> read_versions(const std::filesystem::path& file) {
  // Parsed in file order, so the report lists the versions as written.
  const auto text = read_text(file, rerun_fix);
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::ordered_json::parse_error& error) {
    throw std::runtime_error(
        fmt::format("{} is not valid JSON ({}); {}", file.string(), error.what(), rerun_fix));
  }
  if (!j.is_object()) {
    throw std::runtime_error(
        fmt::format("{} must hold a JSON object {{...}}; {}", file.string(), rerun_fix));
  }
  std::vector<std::pair<std::string, std::string>> versions;
  for (const auto& [name, value] : j.items()) {
    versions.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return versions;
}

std::vector<cycle_record> read_cycles(const std::filesystem::path& file) {
  constexpr std::string_view fix =
      "the file is damaged: run this seed again, or delete the line and everything after it to "
      "report the run as unfinished";
  const auto text = read_text(file, rerun_fix);
  std::vector<cycle_record> cycles;
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    const bool cut_off = end == std::string::npos;  // no newline: the writer may have been killed
    if (cut_off) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error& error) {
      // The engine flushes whole lines; a torn last line is a run killed
      // mid-write, i.e. an unfinished run, not a broken file.
      if (cut_off) break;
      throw std::runtime_error(fmt::format("{} line {} is not valid JSON ({}); {}", file.string(),
                                           line_number, error.what(), fix));
    }
    const auto where = fmt::format("{} line {}", file.string(), line_number);
    if (!j.is_object()) {
      throw std::runtime_error(fmt::format("{} must hold one JSON object per line; {}", where, fix));
    }
    cycle_record c;
    c.cycle = field_or<int>(j, "cycle", static_cast<int>(cycles.size()), where, fix);
    c.labelled = required_field<std::int64_t>(j, "labelled", where, fix);
    c.accuracy = required_field<double>(j, "accuracy", where, fix);
    if (j.contains("balanced_accuracy") && !j["balanced_accuracy"].is_null()) {
      c.balanced_accuracy = field_or<double>(j, "balanced_accuracy", 0.0, where, fix);
    }
    if (j.contains("agreement") && !j["agreement"].is_null()) {
      c.agreement = field_or<double>(j, "agreement", 0.0, where, fix);
    }
    cycles.push_back(c);
  }
  return cycles;
}

/// The run's plan as data (see run_record::expanded_plan).
std::optional<plan> read_plan(const std::filesystem::path& run_folder,
                              const std::string& pipeline_text) {
  const auto file = run_folder / "plan.json";
  if (std::filesystem::exists(file)) {
    try {
      return plan_from_json(read_text(file, rerun_fix));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(fmt::format("{} is damaged: {}; {}", file.string(), e.what(), rerun_fix));
    }
  }
  // Written before runs recorded plan.json: the pipeline's own text.
  if (pipeline_text.empty()) return std::nullopt;
  try {
    return parse(pipeline_text);
  } catch (const plan_error&) {
    return std::nullopt;  // a word registered by the program that ran it
  }
}

run_record read_run(const std::filesystem::path& folder, const std::string& name,
                    const std::string& pipeline_text) {
  const auto run_folder = folder / name;
  if (!std::filesystem::is_directory(run_folder)) {
    throw std::runtime_error(fmt::format("the run folder {} named in comparison.json is missing; {}",
                                         run_folder.string(), rerun_fix));
  }
  run_record run;
  run.name = name;
  run.plan_text = read_text(run_folder / "plan.txt", rerun_fix);
  run.settings = read_settings(run_folder / "config.json");
  run.versions = read_versions(run_folder / "versions.json");
  run.cycles = read_cycles(run_folder / "cycles.jsonl");
  run.expanded_plan = read_plan(run_folder, pipeline_text);
  if (run.expanded_plan) {
    run.expected_cycles = static_cast<std::size_t>(run.expanded_plan->cycles()) + 1;
    // A run its stopping rule ended is finished at that cycle.
    if (run.expanded_plan->stopping() != nullptr) {
      const auto evidence = stopping_evidence_of(run);
      if (const auto stopped = stopping_cycle(*run.expanded_plan, evidence)) {
        run.expected_cycles = static_cast<std::size_t>(*stopped) + 1;
      }
    }
  }
  return run;
}

}  // namespace

namespace {

/// Reads comparison.json and the run folders it names. With `unfinished`,
/// a run folder that does not exist yet is listed there as not started
/// (a shard has not reached it) instead of being an error, and so is every
/// run with fewer cycles than it should have.
comparison_record read_comparison_folder(const std::filesystem::path& folder,
                                         std::vector<std::string>* unfinished) {
  const auto file = folder / "comparison.json";
  constexpr std::string_view fix =
      "point alpipe report at a folder written by alpipe compare (it holds comparison.json)";
  if (!std::filesystem::is_directory(folder)) {
    throw std::runtime_error(
        fmt::format("the comparison folder {} does not exist; {}", folder.string(), fix));
  }
  const auto j = parse_object(file, fix);
  constexpr std::string_view field_fix =
      "write it as alpipe compare does (see docs/comparisons.md)";
  comparison_record comparison;
  comparison.folder = folder;
  comparison.format = field_or<int>(j, "format", 1, file, field_fix);
  if (comparison.format != 1) {
    throw std::runtime_error(fmt::format(
        "{} has format {}, this alpipe reads format 1; report it with the alpipe that wrote it",
        file.string(), comparison.format));
  }
  comparison.seeds = field_or<std::vector<std::uint64_t>>(j, "seeds", {}, file, field_fix);
  comparison.baseline = field_or<std::string>(j, "baseline", "random", file, field_fix);
  const auto pipelines = j.find("pipelines");
  if (pipelines == j.end() || !pipelines->is_array() || pipelines->empty()) {
    throw std::runtime_error(fmt::format(
        "{}: \"pipelines\" must be a non-empty array of {{\"label\", \"text\", \"runs\"}}; {}",
        file.string(), field_fix));
  }
  for (const auto& entry : *pipelines) {
    if (!entry.is_object()) {
      throw std::runtime_error(
          fmt::format("{}: each pipeline must be a JSON object; {}", file.string(), field_fix));
    }
    pipeline_record pipeline;
    pipeline.label = required_field<std::string>(entry, "label", file, field_fix);
    pipeline.text = field_or<std::string>(entry, "text", "", file, field_fix);
    pipeline.added = field_or<bool>(entry, "added", false, file, field_fix);
    const auto runs = required_field<std::vector<std::string>>(entry, "runs", file, field_fix);
    for (const auto& name : runs) {
      // A run killed before its first cycle may have written any part of
      // its record; without a finished cycle there is nothing to read yet.
      if (unfinished != nullptr && !std::filesystem::exists(folder / name / "cycles.jsonl")) {
        continue;
      }
      pipeline.runs.push_back(read_run(folder, name, pipeline.text));
    }
    // Without a plan, the longest run of the pipeline sets what finished
    // means.
    std::size_t longest = 0;
    for (const auto& run : pipeline.runs) longest = std::max(longest, run.cycles.size());
    for (auto& run : pipeline.runs) {
      if (run.expected_cycles == 0) run.expected_cycles = std::max<std::size_t>(longest, 1);
    }
    if (unfinished != nullptr) {
      for (const auto& name : runs) {
        const auto found = std::find_if(pipeline.runs.begin(), pipeline.runs.end(),
                                        [&](const run_record& r) { return r.name == name; });
        if (found == pipeline.runs.end()) {
          unfinished->push_back(fmt::format("{} ({})", name,
                                            std::filesystem::is_directory(folder / name)
                                                ? "no finished cycle"
                                                : "not started"));
        } else if (!found->finished()) {
          unfinished->push_back(fmt::format("{} ({} of {} cycles)", name, found->cycles.size(),
                                            found->expected_cycles));
        }
      }
    }
    comparison.pipelines.push_back(std::move(pipeline));
  }
  return comparison;
}

}  // namespace

comparison_record read_comparison(const std::filesystem::path& folder) {
  return read_comparison_folder(folder, nullptr);
}

std::vector<std::string> unfinished_runs(const std::filesystem::path& folder) {
  std::vector<std::string> unfinished;
  read_comparison_folder(folder, &unfinished);
  return unfinished;
}

}  // namespace al
