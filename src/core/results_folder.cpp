#include "results_folder.hpp"

#include "../oracle/atomic_file.hpp"

#include <al/pretrain_cache.hpp>
#include <al/version.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/version.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace al::engine {
namespace {

void sync_to_disk(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::runtime_error io_error(const std::filesystem::path& file, std::string_view what) {
  return std::runtime_error(fmt::format("cannot {} {}; check that the results folder is "
                                        "writable and the disk not full (config.results_dir)",
                                        what, file.string()));
}

}  // namespace

results_folder::results_folder(std::filesystem::path folder, std::string identity,
                               oracle_detail::folder_lock::when_held mode)
    : folder_(std::move(folder)), identity_(std::move(identity)) {
  std::error_code error;
  std::filesystem::create_directories(folder_, error);
  if (error) throw io_error(folder_, "create the results folder");
  lock_ = std::make_unique<oracle_detail::folder_lock>(
      folder_ / "run.lock", fmt::format("the results folder {}", folder_.string()), mode);
}

namespace {

// A signed line ends in ,"check":"<16 hex digits>"} — the FNV-1a hash of the
// run identity and the line as it would read without the check.
constexpr std::string_view check_key = ",\"check\":\"";
constexpr std::size_t check_suffix_size = check_key.size() + 16 + 2;

std::string line_check(std::string_view identity, std::string_view unsigned_line) {
  std::string signed_text(identity);
  signed_text += '\n';
  signed_text += unsigned_line;
  return fmt::format("{:016x}", fnv1a64(signed_text));
}

/// The line without its check, or nullopt when it carries none (lines
/// written before alpipe signed them).
std::optional<std::string> without_check(std::string_view line, std::string& check) {
  if (line.size() < check_suffix_size + 2 || !line.ends_with("\"}")) return std::nullopt;
  const auto at = line.size() - check_suffix_size;
  if (line.substr(at, check_key.size()) != check_key) return std::nullopt;
  check = std::string(line.substr(at + check_key.size(), 16));
  return std::string(line.substr(0, at)) + "}";
}

}  // namespace

std::string run_identity(std::string_view plan_text, std::string_view config_text) {
  std::string config_only;
  try {
    auto j = nlohmann::ordered_json::parse(config_text);
    j.erase("threads");
    config_only = j.dump();
  } catch (const nlohmann::json::exception&) {
    config_only = std::string(config_text);
  }
  std::string both(plan_text);
  both += '\n';
  both += config_only;
  return fmt::format("{:016x}", fnv1a64(both));
}

std::string results_folder::signed_line(const cycle_result& cycle) const {
  auto line = cycle_json(cycle);
  const auto check = line_check(identity_, line);
  line.pop_back();  // the closing brace
  return fmt::format("{}{}{}\"}}", line, check_key, check);
}

std::optional<std::string> results_folder::read_file(std::string_view name) const {
  std::ifstream in(folder_ / name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<cycle_result> results_folder::finished_cycles() const {
  std::vector<cycle_result> cycles;
  const auto content = read_file("cycles.jsonl");
  if (!content) return cycles;
  std::istringstream in(*content);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  // Only the last line can be cut off: every earlier one was synced whole.
  const bool last_complete = !content->empty() && content->back() == '\n';
  const auto file = (folder_ / "cycles.jsonl").string();
  const auto damaged = [&](std::size_t line, const std::string& why) {
    return std::runtime_error(fmt::format(
        "{} line {} {}; an interrupted run does not leave that, so the results cannot be trusted: "
        "move the folder away (or restore the file) and run again",
        file, line + 1, why));
  };
  std::optional<bool> signed_lines;  // all lines carry a check, or none
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i + 1 == lines.size() && !last_complete) break;
    std::string check;
    const auto unsigned_line = without_check(lines[i], check);
    if (signed_lines && *signed_lines != unsigned_line.has_value()) {
      throw damaged(i, "lacks the check the other lines carry, or has one they lack");
    }
    signed_lines = unsigned_line.has_value();
    if (unsigned_line && line_check(identity_, *unsigned_line) != check) {
      throw damaged(i, "does not match its check: it was changed after alpipe wrote it, or "
                       "comes from another run's cycles.jsonl");
    }
    cycle_result cycle;
    try {
      cycle = cycle_from_json(unsigned_line ? *unsigned_line : lines[i]);
    } catch (const std::exception& e) {
      throw damaged(i, fmt::format("is damaged ({})", e.what()));
    }
    if (cycle.cycle != static_cast<int>(cycles.size())) {
      throw damaged(i, fmt::format("holds cycle {} where cycle {} belongs (a repeated, missing or "
                                   "reordered line)",
                                   cycle.cycle, cycles.size()));
    }
    cycles.push_back(std::move(cycle));
  }
  return cycles;
}

void results_folder::keep_cycles(const std::vector<cycle_result>& cycles) {
  cycles_.close();
  std::string content;
  for (const auto& cycle : cycles) content += signed_line(cycle) + "\n";
  write_file("cycles.jsonl", content);
  cycles_.open(folder_ / "cycles.jsonl", std::ios::app);
  if (!cycles_) throw io_error(folder_ / "cycles.jsonl", "write");
}

namespace {

/// The first line where two texts differ, for the mismatch message.
std::string first_difference(std::string_view name, std::string_view was, std::string_view now) {
  std::istringstream a{std::string(was)}, b{std::string(now)};
  std::string line_was, line_now;
  for (int line = 1;; ++line) {
    const bool more_was = static_cast<bool>(std::getline(a, line_was));
    const bool more_now = static_cast<bool>(std::getline(b, line_now));
    if (!more_was && !more_now) return {};
    if (line_was != line_now || more_was != more_now) {
      return fmt::format("{} line {}: the folder has \"{}\", this run has \"{}\"", name, line,
                         more_was ? line_was : "", more_now ? line_now : "");
    }
  }
}

std::string without_threads(std::string_view config_text) {
  auto j = nlohmann::ordered_json::parse(config_text);
  j.erase("threads");
  return j.dump(2);
}

}  // namespace

std::optional<std::string> run_mismatch(const results_folder& folder, std::string_view plan_text,
                                        std::string_view config_text) {
  const auto plan_was = folder.read_file("plan.txt");
  const auto config_was = folder.read_file("config.json");
  const bool has_results = std::filesystem::exists(folder.path() / "cycles.jsonl") ||
                           std::filesystem::exists(folder.path() / "checkpoint.pt");
  // A run killed while writing its record, before any result: nothing to
  // lose, so it starts again (it rewrites both files).
  if (!has_results && (!plan_was || !config_was)) return std::nullopt;
  // Results without the record of which run made them cannot be resumed.
  for (const auto& [name, content] : {std::pair{"plan.txt", &plan_was}, {"config.json", &config_was}}) {
    if (!*content) {
      return fmt::format("{} is missing, so which run its results belong to is unknown", name);
    }
  }
  std::string difference;
  if (plan_was && *plan_was != plan_text) difference = first_difference("plan.txt", *plan_was, plan_text);
  if (difference.empty() && config_was) {
    std::string normalised_was;
    try {
      normalised_was = without_threads(*config_was);
    } catch (const nlohmann::json::exception&) {
      return fmt::format("config.json is not the JSON alpipe writes (it is damaged)");
    }
    const auto normalised_now = without_threads(config_text);
    if (normalised_was != normalised_now) {
      difference = first_difference("config.json", normalised_was, normalised_now);
    }
  }
  if (difference.empty()) return std::nullopt;
  return difference;
}

void write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  oracle_detail::write_file_atomically(target, content);
}

void results_folder::write_file(std::string_view name, std::string_view content) const {
  write_file_atomically(folder_ / name, content);
}

void results_folder::append_cycle(const cycle_result& cycle) {
  if (!cycles_.is_open()) cycles_.open(folder_ / "cycles.jsonl", std::ios::app);
  cycles_ << signed_line(cycle) << '\n';
  cycles_.flush();
  if (!cycles_) throw io_error(folder_ / "cycles.jsonl", "append to");
  sync_to_disk(folder_ / "cycles.jsonl");
}

std::string config_json(const config& c, std::string_view device, std::string_view model,
                        int ranks) {
  nlohmann::ordered_json j;
  j["seed"] = c.seed;
  j["device"] = device;
  j["threads"] = c.threads;
  j["model"] = model;
  j["data"] = {{"name", c.data.name},
               {"folder", c.data.folder.string()},
               {"pool_size", c.data.pool_size},
               {"test_size", c.data.test_size},
               {"subset_seed", c.data.subset_seed},
               {"long_tail", c.data.long_tail}};
  // Who answered is part of what the results are: a run continued with
  // another oracle would mix two kinds of labels.
  constexpr const char* oracle_names[] = {"ground-truth", "noisy", "human"};
  j["oracle"] = {{"kind", oracle_names[static_cast<int>(c.oracle.kind)]},
                 {"flip_rate", c.oracle.flip_rate}};
  if (c.data.name == "blobs") {
    j["data"]["blobs"] = {{"train_per_class", c.data.blobs_train_per_class},
                          {"test_per_class", c.data.blobs_test_per_class},
                          {"classes", c.data.blobs_classes},
                          {"dimensions", c.data.blobs_dimensions}};
  }
  if (ranks > 1) j["ranks"] = ranks;
  return j.dump(2) + "\n";
}

std::string versions_json(std::string_view device) {
  nlohmann::ordered_json j;
  j["alpipe"] = al::version_string;
  j["libtorch"] = TORCH_VERSION;
  j["fmt"] = FMT_VERSION;
  j["compiler"] = __VERSION__;
  j["device"] = device;
  return j.dump(2) + "\n";
}

std::string pretraining_json(const pretraining_record& record) {
  nlohmann::ordered_json j;
  j["pretext"] = record.pretext;
  j["from_cache"] = record.from_cache;
  j["cache_file"] = record.cache_file.string();
  j["seconds"] = record.seconds;
  j["steps"] = record.steps;
  j["final_loss"] = record.final_loss;
  return j.dump(2) + "\n";
}

std::string cycle_json(const cycle_result& cycle) {
  nlohmann::ordered_json j;
  j["cycle"] = cycle.cycle;
  j["labelled"] = cycle.labelled;
  j["accuracy"] = cycle.accuracy;
  j["per_class_accuracy"] = cycle.per_class_accuracy;
  j["balanced_accuracy"] = cycle.balanced_accuracy;
  j["query_class_histogram"] = cycle.query_class_histogram;
  j["seconds"] = {{"train", cycle.seconds.train},
                  {"score", cycle.seconds.score},
                  {"select", cycle.seconds.select},
                  {"evaluate", cycle.seconds.evaluate}};
  j["queried"] = cycle.queried;
  j["labels"] = cycle.labels;
  if (cycle.agreement) j["agreement"] = *cycle.agreement;
  return j.dump();
}

cycle_result cycle_from_json(std::string_view line) {
  const auto j = nlohmann::json::parse(line);
  cycle_result cycle;
  cycle.cycle = j.at("cycle").get<int>();
  cycle.labelled = j.at("labelled").get<std::int64_t>();
  cycle.accuracy = j.at("accuracy").get<double>();
  cycle.per_class_accuracy = j.at("per_class_accuracy").get<std::vector<double>>();
  cycle.balanced_accuracy = j.at("balanced_accuracy").get<double>();
  cycle.query_class_histogram = j.at("query_class_histogram").get<std::vector<std::int64_t>>();
  const auto& seconds = j.at("seconds");
  cycle.seconds = {seconds.at("train").get<double>(), seconds.at("score").get<double>(),
                   seconds.at("select").get<double>(), seconds.at("evaluate").get<double>()};
  cycle.queried = j.at("queried").get<std::vector<std::int64_t>>();
  // Absent in results written before the oracle's answers were recorded.
  if (j.contains("labels")) cycle.labels = j.at("labels").get<std::vector<std::int64_t>>();
  // Absent in cycle 0, and in results written before runs recorded it.
  if (j.contains("agreement")) cycle.agreement = j.at("agreement").get<double>();
  return cycle;
}

}  // namespace al::engine
