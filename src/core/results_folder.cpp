#include "results_folder.hpp"

#include "../oracle/atomic_file.hpp"

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

results_folder::results_folder(std::filesystem::path folder) : folder_(std::move(folder)) {
  std::error_code error;
  std::filesystem::create_directories(folder_, error);
  if (error) throw io_error(folder_, "create the results folder");
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
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i + 1 == lines.size() && !last_complete) break;
    try {
      cycles.push_back(cycle_from_json(lines[i]));
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format(
          "{} line {} is damaged ({}); it was not written by an interrupted run, so the results "
          "cannot be trusted: move the folder away and run again",
          (folder_ / "cycles.jsonl").string(), i + 1, e.what()));
    }
  }
  return cycles;
}

void results_folder::keep_cycles(const std::vector<cycle_result>& cycles) {
  cycles_.close();
  std::string content;
  for (const auto& cycle : cycles) content += cycle_json(cycle) + "\n";
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
  if (!plan_was && !config_was) return std::nullopt;
  std::string difference;
  if (plan_was && *plan_was != plan_text) difference = first_difference("plan.txt", *plan_was, plan_text);
  if (difference.empty() && config_was) {
    std::string normalised_was;
    try {
      normalised_was = without_threads(*config_was);
    } catch (const nlohmann::json::exception&) {
      return fmt::format("config.json is not the JSON alpipe writes");
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
  cycles_ << cycle_json(cycle) << '\n';
  cycles_.flush();
  if (!cycles_) throw io_error(folder_ / "cycles.jsonl", "append to");
  sync_to_disk(folder_ / "cycles.jsonl");
}

std::string config_json(const config& c, std::string_view device, std::string_view model) {
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
  return cycle;
}

}  // namespace al::engine
