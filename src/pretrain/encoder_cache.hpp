#pragma once
// The engine side of the pretraining cache (the file format and the key are
// in <al/pretrain_cache.hpp>): a pretrained model's weights and its pretext
// losses, saved atomically and loaded only when every check passes.

#include <al/engine/model.hpp>

#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>

namespace al::engine {

/// What a cache file gives back besides the weights it loads into the model.
struct cached_pretraining {
  torch::Tensor pretext_loss;  // [N], rotation only; undefined otherwise
};

/// Loads `file` into `model` when it is a valid cache file for `key` whose
/// tensors match the model's names and shapes. Returns nothing when the file
/// is missing; when it is damaged, also nothing, after `warn` is told why.
std::optional<cached_pretraining> load_pretrained(const std::filesystem::path& file,
                                                  const std::string& key, classifier& model,
                                                  const std::function<void(const std::string&)>& warn);

/// Saves `model`'s weights and `pretext_loss` (may be undefined) to `file`
/// for `key`: written to a temporary file beside it, flushed, then renamed,
/// so a crash never leaves a partial file under the real name.
void save_pretrained(const std::filesystem::path& file, const std::string& key,
                     classifier& model, const torch::Tensor& pretext_loss);

}  // namespace al::engine
