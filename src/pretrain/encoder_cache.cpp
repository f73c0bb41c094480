// Encoding of a pretrained model's tensors as the cache file's payload: per
// tensor a text line (name, dtype, shape, bytes) and its raw bytes. Plain
// enough to check field by field; the checksum and header live in
// <al/pretrain_cache.hpp>.

#include "encoder_cache.hpp"

#include "../core/results_folder.hpp"

#include <al/pretrain_cache.hpp>

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>

namespace al::engine {
namespace {

constexpr std::string_view pretext_loss_name = "pretext_loss";

/// Every tensor a model's state holds, by name.
std::map<std::string, torch::Tensor> model_state(classifier& model) {
  std::map<std::string, torch::Tensor> state;
  for (const auto& p : model.named_parameters()) state.emplace(p.key(), p.value());
  for (const auto& b : model.named_buffers()) state.emplace(b.key(), b.value());
  return state;
}

void append_tensor(std::string& out, std::string_view name, const torch::Tensor& tensor) {
  const auto cpu = tensor.detach().to(torch::kCPU).contiguous();
  const auto bytes = cpu.numel() * static_cast<std::int64_t>(cpu.element_size());
  out += fmt::format("tensor {} {} [{}] {}\n", name, static_cast<int>(cpu.scalar_type()),
                     fmt::join(cpu.sizes(), ","), bytes);
  out.append(static_cast<const char*>(cpu.data_ptr()), static_cast<std::size_t>(bytes));
}

/// The tensors of a payload; a malformed one throws with the reason.
std::map<std::string, torch::Tensor> decode(const std::string& payload) {
  std::map<std::string, torch::Tensor> tensors;
  std::size_t at = 0;
  while (at < payload.size()) {
    const auto end_of_line = payload.find('\n', at);
    if (end_of_line == std::string::npos) throw std::runtime_error("a tensor header has no end");
    std::istringstream header(payload.substr(at, end_of_line - at));
    std::string word, name, shape_text;
    int type = 0;
    std::int64_t bytes = 0;
    if (!(header >> word >> name >> type >> shape_text >> bytes) || word != "tensor") {
      throw std::runtime_error("a tensor header is unreadable");
    }
    if (shape_text.size() < 2 || shape_text.front() != '[' || shape_text.back() != ']') {
      throw std::runtime_error("a tensor shape is unreadable");
    }
    std::vector<std::int64_t> shape;
    std::istringstream dims(shape_text.substr(1, shape_text.size() - 2));
    for (std::string dim; std::getline(dims, dim, ',');) {
      if (!dim.empty()) shape.push_back(std::stoll(dim));
    }
    at = end_of_line + 1;
    const auto dtype = static_cast<torch::ScalarType>(type);
    auto tensor = torch::empty(shape, torch::TensorOptions().dtype(dtype));
    if (bytes != tensor.numel() * static_cast<std::int64_t>(tensor.element_size()) ||
        at + static_cast<std::size_t>(bytes) > payload.size()) {
      throw std::runtime_error(fmt::format("tensor {} has the wrong number of bytes", name));
    }
    std::memcpy(tensor.data_ptr(), payload.data() + at, static_cast<std::size_t>(bytes));
    at += static_cast<std::size_t>(bytes);
    tensors.emplace(name, tensor);
  }
  return tensors;
}

}  // namespace

std::optional<cached_pretraining> load_pretrained(
    const std::filesystem::path& file, const std::string& key, classifier& model,
    const std::function<void(const std::string&)>& warn) {
  const auto found = read_pretrain_cache(file, key);
  auto reject = [&](const std::string& problem) {
    warn(fmt::format("pretraining cache {} is damaged ({}); pretraining again and replacing it",
                     file.string(), problem));
    return std::nullopt;
  };
  if (found.status == pretrain_cache_read::state::missing) return std::nullopt;
  if (found.status == pretrain_cache_read::state::damaged) return reject(found.problem);

  std::map<std::string, torch::Tensor> tensors;
  try {
    tensors = decode(found.payload);
  } catch (const std::exception& e) {
    return reject(e.what());
  }
  auto state = model_state(model);
  // Check everything before copying anything: a mismatch leaves the model
  // as it was built.
  for (const auto& [name, target] : state) {
    const auto it = tensors.find(name);
    if (it == tensors.end()) return reject(fmt::format("it lacks the model's tensor {}", name));
    if (it->second.sizes() != target.sizes() || it->second.scalar_type() != target.scalar_type()) {
      return reject(fmt::format("tensor {} does not match the model's shape or type; was the "
                                "model changed?",
                                name));
    }
  }
  {
    torch::NoGradGuard no_grad;
    for (auto& [name, target] : state) target.copy_(tensors.at(name));
  }
  cached_pretraining out;
  if (const auto it = tensors.find(std::string(pretext_loss_name)); it != tensors.end()) {
    out.pretext_loss = it->second;
  }
  return out;
}

void save_pretrained(const std::filesystem::path& file, const std::string& key,
                     classifier& model, const torch::Tensor& pretext_loss) {
  std::string payload;
  for (const auto& [name, tensor] : model_state(model)) append_tensor(payload, name, tensor);
  if (pretext_loss.defined()) append_tensor(payload, pretext_loss_name, pretext_loss);
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  if (error) {
    throw std::runtime_error(fmt::format("cannot create the pretraining cache folder {}; set "
                                         "config.cache_dir to a writable folder",
                                         file.parent_path().string()));
  }
  write_file_atomically(file, encode_pretrain_cache(key, payload));
}

}  // namespace al::engine
