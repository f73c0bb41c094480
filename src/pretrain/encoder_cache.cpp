// A pretrained model's tensors as the cache file's payload: a LibTorch
// archive, the same serialization as the run checkpoints, so dtypes and
// shapes are LibTorch's own business. The header and checksum around it live
// in <al/pretrain_cache.hpp> (LibTorch's archive does not check its data).

#include "encoder_cache.hpp"

#include "../core/results_folder.hpp"
#include "../core/torch_error_message.hpp"

#include <al/pretrain_cache.hpp>

#include <fmt/format.h>

#include <sstream>
#include <stdexcept>
#include <vector>

namespace al::engine {
namespace {

constexpr const char* pretext_loss_key = "pretext_loss";

std::string archive_key(const std::string& tensor) { return "model/" + tensor; }

struct state_tensor {
  std::string name;
  torch::Tensor tensor;
  bool is_buffer = false;
};

/// Every tensor a model's state holds, parameters then buffers.
std::vector<state_tensor> model_state(classifier& model) {
  std::vector<state_tensor> state;
  for (const auto& p : model.named_parameters()) state.push_back({p.key(), p.value(), false});
  for (const auto& b : model.named_buffers()) state.push_back({b.key(), b.value(), true});
  return state;
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

  auto state = model_state(model);
  std::vector<torch::Tensor> saved(state.size());
  cached_pretraining out;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(found.payload.data(), found.payload.size());
    // Check everything before copying anything: a mismatch leaves the model
    // as it was built.
    for (std::size_t i = 0; i < state.size(); ++i) {
      const auto& [name, target, is_buffer] = state[i];
      if (!archive.try_read(archive_key(name), saved[i], is_buffer)) {
        return reject(fmt::format("it lacks the model's tensor {}", name));
      }
      if (saved[i].sizes() != target.sizes() || saved[i].scalar_type() != target.scalar_type()) {
        return reject(fmt::format("tensor {} does not match the model's shape or type; was the "
                                  "model changed?",
                                  name));
      }
    }
    torch::Tensor pretext_loss;
    if (archive.try_read(pretext_loss_key, pretext_loss, /*is_buffer=*/true)) {
      out.pretext_loss = pretext_loss;
    }
  } catch (const std::exception& e) {
    return reject(fmt::format("its weights cannot be read: {}", torch_error_message(e)));
  }
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < state.size(); ++i) state[i].tensor.copy_(saved[i]);
  return out;
}

void save_pretrained(const std::filesystem::path& file, const std::string& key,
                     classifier& model, const torch::Tensor& pretext_loss) {
  torch::serialize::OutputArchive archive;
  for (const auto& [name, tensor, is_buffer] : model_state(model)) {
    archive.write(archive_key(name), tensor.detach().cpu(), is_buffer);
  }
  if (pretext_loss.defined()) {
    archive.write(pretext_loss_key, pretext_loss.detach().cpu(), /*is_buffer=*/true);
  }
  std::ostringstream payload;
  archive.save_to(payload);
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  if (error) {
    throw std::runtime_error(fmt::format("cannot create the pretraining cache folder {}; set "
                                         "config.cache_dir to a writable folder",
                                         file.parent_path().string()));
  }
  write_file_atomically(file, encode_pretrain_cache(key, payload.str()));
}

}  // namespace al::engine
