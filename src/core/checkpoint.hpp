#pragma once
// The state a run needs to continue after its last finished cycle: the
// weights of every module it trains or keeps (the model, MCDAL's heads, COD's
// head and teacher, TOD's previous model) and a few counters. The labels are
// not here: cycles.jsonl holds them.
//
// A checkpoint carries the identity of its run (run_identity: plan and
// config) and a checksum of every tensor it holds, so a damaged file or one
// copied from another run is found, never trusted.

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace al::engine {

/// A module of the run, by the name it is saved under.
struct named_module {
  std::string name;
  torch::nn::Module* module = nullptr;
};

/// Writes every module's parameters and buffers, `counters` and `identity`
/// to `file`, atomically (a kill leaves the previous checkpoint whole).
void save_checkpoint(const std::filesystem::path& file, const std::vector<named_module>& modules,
                     const std::map<std::string, std::int64_t>& counters,
                     const std::string& identity);

/// What loading a checkpoint found.
struct loaded_checkpoint {
  bool found = false;  // the file exists
  /// Why the file cannot be trusted (damaged, another run's, not fitting the
  /// modules); empty when it loaded. Nothing is loaded then.
  std::string problem;
  std::map<std::string, std::int64_t> counters;
  [[nodiscard]] bool usable() const { return found && problem.empty(); }
};

/// Loads `file` into `modules` when it exists, is whole, was written by the
/// run `identity` names, and fits the modules; otherwise leaves the modules
/// as they are and says why.
loaded_checkpoint load_checkpoint(const std::filesystem::path& file,
                                  const std::vector<named_module>& modules,
                                  const std::string& identity);

}  // namespace al::engine
