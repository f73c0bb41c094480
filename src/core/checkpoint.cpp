// Saving and loading a run's checkpoint with LibTorch's archives.

#include "checkpoint.hpp"

#include "results_folder.hpp"

#include <fmt/format.h>

#include <sstream>

namespace al::engine {
namespace {

std::string key_of(const std::string& module, const std::string& tensor) {
  return module + "/" + tensor;
}

}  // namespace

void save_checkpoint(const std::filesystem::path& file, const std::vector<named_module>& modules,
                     const std::map<std::string, std::int64_t>& counters) {
  torch::serialize::OutputArchive archive;
  for (const auto& [name, module] : modules) {
    for (const auto& item : module->named_parameters()) {
      archive.write(key_of(name, item.key()), item.value().detach().cpu());
    }
    for (const auto& item : module->named_buffers()) {
      archive.write(key_of(name, item.key()), item.value().cpu(), /*is_buffer=*/true);
    }
  }
  for (const auto& [name, value] : counters) {
    archive.write(key_of("counter", name), torch::tensor(value, torch::kLong));
  }
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(file, bytes.str());
}

std::map<std::string, std::int64_t> load_checkpoint(
    const std::filesystem::path& file, const std::vector<named_module>& modules,
    const std::function<void(const std::string&)>& warn) {
  if (!std::filesystem::exists(file)) return {};
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    // Read everything before changing anything: a file that does not fit
    // leaves the modules as they were.
    std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
    for (const auto& [name, module] : modules) {
      for (auto& item : module->named_parameters()) {
        torch::Tensor saved;
        archive.read(key_of(name, item.key()), saved);
        copies.emplace_back(item.value(), saved);
      }
      for (auto& item : module->named_buffers()) {
        torch::Tensor saved;
        archive.read(key_of(name, item.key()), saved, /*is_buffer=*/true);
        copies.emplace_back(item.value(), saved);
      }
    }
    std::map<std::string, std::int64_t> counters;
    for (const auto& key : archive.keys()) {
      if (key.rfind("counter/", 0) != 0) continue;
      torch::Tensor value;
      archive.read(key, value);
      counters[key.substr(8)] = value.item<std::int64_t>();
    }
    for (const auto& [target, saved] : copies) {
      if (target.sizes() != saved.sizes()) {
        throw std::runtime_error(fmt::format("a tensor of shape {} does not fit {}",
                                             c10::str(saved.sizes()), c10::str(target.sizes())));
      }
    }
    torch::NoGradGuard no_grad;
    for (auto& [target, saved] : copies) target.copy_(saved);
    return counters;
  } catch (const std::exception& e) {
    warn(fmt::format("the checkpoint {} cannot be used ({}); the run starts over from its first "
                     "cycle",
                     file.string(), e.what()));
    return {};
  }
}

}  // namespace al::engine
