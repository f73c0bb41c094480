#pragma once
// train.bf16(): the forward passes of training under bfloat16 autocast.
// Autocast casts each matrix product and convolution to bf16 as it runs,
// while weights, gradients and the optimiser stay in float32. On a GPU with
// bf16 tensor cores that is where training's time goes; bf16 has float32's
// exponent range, so unlike float16 it needs no loss scaling.

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <stdexcept>
#include <string>

namespace al::engine::detail {

/// While alive (and `on`), autocast to bf16 on `device`'s kind, on this
/// thread only (autocast is thread-local, so runs in parallel threads keep
/// their own). What it found is restored when it ends.
class bf16_autocast {
 public:
  bf16_autocast(const torch::Device& device, bool on) : on_(on), type_(device.type()) {
    if (!on_) return;
    if (type_ != torch::kCPU && type_ != torch::kCUDA) {
      throw std::invalid_argument("train.bf16() runs on the CPU or a CUDA device, not on " +
                                  device.str());
    }
    was_enabled_ = enabled();
    was_type_ = dtype();
    set(true, at::kBFloat16);
    at::autocast::increment_nesting();
  }
  ~bf16_autocast() {
    if (!on_) return;
    // The cache of casted weights lives as long as the outermost scope.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set(was_enabled_, was_type_);
  }
  bf16_autocast(const bf16_autocast&) = delete;
  bf16_autocast& operator=(const bf16_autocast&) = delete;

 private:
  // LibTorch 2.4 replaced the per-device functions by ones that take the
  // device kind; both are kept so that Debian's 1.13 and a current CUDA
  // LibTorch build the same source.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  bool enabled() const { return at::autocast::is_autocast_enabled(type_); }
  at::ScalarType dtype() const { return at::autocast::get_autocast_dtype(type_); }
  void set(bool enabled, at::ScalarType type) const {
    at::autocast::set_autocast_dtype(type_, type);
    at::autocast::set_autocast_enabled(type_, enabled);
  }
#else
  bool enabled() const {
    return type_ == torch::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
  }
  at::ScalarType dtype() const {
    return type_ == torch::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                                 : at::autocast::get_autocast_cpu_dtype();
  }
  void set(bool enabled, at::ScalarType type) const {
    if (type_ == torch::kCUDA) {
      at::autocast::set_autocast_gpu_dtype(type);
      at::autocast::set_enabled(enabled);
    } else {
      at::autocast::set_autocast_cpu_dtype(type);
      at::autocast::set_cpu_enabled(enabled);
    }
  }
#endif

  bool on_;
  torch::DeviceType type_;
  bool was_enabled_ = false;
  at::ScalarType was_type_ = at::kFloat;
};

}  // namespace al::engine::detail
