// Saving and loading a run's checkpoint with LibTorch's archives.

#include "checkpoint.hpp"

#include "results_folder.hpp"
#include "torch_error_message.hpp"

#include <al/pretrain_cache.hpp>

#include <fmt/format.h>

#include <sstream>

namespace al::engine {
namespace {

constexpr const char* identity_key = "meta/identity";
constexpr const char* checksum_key = "meta/checksum";

std::string key_of(const std::string& module, const std::string& tensor) {
  return module + "/" + tensor;
}

/// FNV-1a over every tensor's name, shape and bytes, in the order given: a
/// flipped bit anywhere in the weights changes it. (LibTorch's archive does
/// not check its own data.) Hashed as it goes, so a large model's weights are
/// never copied into one buffer; the value is al::fnv1a64 of all the bytes.
class tensor_checksum {
 public:
  void add(const std::string& key, const torch::Tensor& tensor) {
    const auto cpu = tensor.detach().to(torch::kCPU).contiguous();
    add_bytes(key);
    add_bytes(c10::str(cpu.sizes()));
    add_bytes(c10::toString(cpu.scalar_type()));
    add_bytes({static_cast<const char*>(cpu.data_ptr()), cpu.nbytes()});
  }
  void add(const std::string& key, std::int64_t value) { add_bytes(fmt::format("{}={};", key, value)); }
  [[nodiscard]] std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  std::uint64_t hash_ = fnv1a64({});  // the offset basis

  void add_bytes(std::string_view bytes) {
    for (const char c : bytes) {
      hash_ ^= static_cast<unsigned char>(c);
      hash_ *= 0x100000001b3ULL;  // the FNV-1a 64 prime, as al::fnv1a64
    }
  }
};

}  // namespace

void save_checkpoint(const std::filesystem::path& file, const std::vector<named_module>& modules,
                     const std::map<std::string, std::int64_t>& counters,
                     const std::string& identity) {
  torch::serialize::OutputArchive archive;
  tensor_checksum checksum;
  for (const auto& [name, module] : modules) {
    for (const auto& item : module->named_parameters()) {
      const auto key = key_of(name, item.key());
      archive.write(key, item.value().detach().cpu());
      checksum.add(key, item.value());
    }
    for (const auto& item : module->named_buffers()) {
      const auto key = key_of(name, item.key());
      archive.write(key, item.value().cpu(), /*is_buffer=*/true);
      checksum.add(key, item.value());
    }
  }
  for (const auto& [name, value] : counters) {
    archive.write(key_of("counter", name), torch::tensor(value, torch::kLong));
    checksum.add(key_of("counter", name), value);
  }
  archive.write(identity_key, c10::IValue(identity));
  archive.write(checksum_key, c10::IValue(checksum.hex()));
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(file, bytes.str());
}

loaded_checkpoint load_checkpoint(const std::filesystem::path& file,
                                  const std::vector<named_module>& modules,
                                  const std::string& identity) {
  loaded_checkpoint result;
  if (!std::filesystem::exists(file)) return result;
  result.found = true;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    c10::IValue saved_identity, saved_checksum;
    if (!archive.try_read(identity_key, saved_identity) ||
        !archive.try_read(checksum_key, saved_checksum) || !saved_identity.isString() ||
        !saved_checksum.isString()) {
      result.problem = "it carries no run identity or checksum (an older alpipe wrote it, or it "
                       "is not a checkpoint)";
      return result;
    }
    if (saved_identity.toStringRef() != identity) {
      result.problem = "it belongs to another run (another plan, config or seed)";
      return result;
    }
    // Read everything before changing anything: a file that does not fit
    // leaves the modules as they were.
    tensor_checksum checksum;
    std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
    for (const auto& [name, module] : modules) {
      for (auto& item : module->named_parameters()) {
        torch::Tensor saved;
        const auto key = key_of(name, item.key());
        archive.read(key, saved);
        checksum.add(key, saved);
        copies.emplace_back(item.value(), saved);
      }
      for (auto& item : module->named_buffers()) {
        torch::Tensor saved;
        const auto key = key_of(name, item.key());
        archive.read(key, saved, /*is_buffer=*/true);
        checksum.add(key, saved);
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
    for (const auto& [name, value] : counters) checksum.add(key_of("counter", name), value);
    if (checksum.hex() != saved_checksum.toStringRef()) {
      result.problem = "its weights do not match its checksum (the file was damaged)";
      return result;
    }
    for (const auto& [target, saved] : copies) {
      if (target.sizes() != saved.sizes()) {
        result.problem = fmt::format("a tensor of shape {} does not fit {}", c10::str(saved.sizes()),
                                     c10::str(target.sizes()));
        return result;
      }
    }
    torch::NoGradGuard no_grad;
    for (auto& [target, saved] : copies) target.copy_(saved);
    result.counters = std::move(counters);
  } catch (const std::exception& e) {
    result.problem = fmt::format("it cannot be read: {}", torch_error_message(e));
    result.counters.clear();
  }
  return result;
}

}  // namespace al::engine
