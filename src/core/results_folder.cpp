#include "results_folder.hpp"

#include <al/version.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/version.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
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
  cycles_.open(folder_ / "cycles.jsonl", std::ios::trunc);
  if (!cycles_) throw io_error(folder_ / "cycles.jsonl", "write");
}

void write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  auto temporary = target;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw io_error(temporary, "write");
  }
  sync_to_disk(temporary);
  std::filesystem::rename(temporary, target);
}

void results_folder::write_file(std::string_view name, std::string_view content) const {
  write_file_atomically(folder_ / name, content);
}

void results_folder::append_cycle(const cycle_result& cycle) {
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
  return j.dump();
}

}  // namespace al::engine
