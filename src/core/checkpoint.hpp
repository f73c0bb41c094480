#pragma once
// The state a run needs to continue after its last finished cycle: the
// weights of every module it trains or keeps (the model, MCDAL's heads, COD's
// head and teacher, TOD's previous model) and a few counters. The labels are
// not here: cycles.jsonl holds them.

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace al::engine {

/// A module of the run, by the name it is saved under.
struct named_module {
  std::string name;
  torch::nn::Module* module = nullptr;
};

/// Writes every module's parameters and buffers and `counters` to `file`,
/// atomically (a kill leaves the previous checkpoint whole).
void save_checkpoint(const std::filesystem::path& file, const std::vector<named_module>& modules,
                     const std::map<std::string, std::int64_t>& counters);

/// Loads `file` into `modules` and returns its counters; empty when there is
/// no file. A file that cannot be read or does not fit the modules is
/// reported through `warn` and loads nothing (the run then starts over).
std::map<std::string, std::int64_t> load_checkpoint(
    const std::filesystem::path& file, const std::vector<named_module>& modules,
    const std::function<void(const std::string&)>& warn);

}  // namespace al::engine
