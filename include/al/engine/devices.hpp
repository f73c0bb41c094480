#pragma once
// Where a run computes: device names, the device each worker of a
// comparison uses, and random streams that live on a device. Opt-in engine
// header (LibTorch).

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace al::engine {

/// `cpu`, `auto` (the first CUDA device when this LibTorch sees one, else
/// the CPU), `cuda` (the first CUDA device) or `cuda:N`. The result always
/// names its index on CUDA. Asking for CUDA where there is none, or for an
/// index past the last device, is an error that says so and what to use.
torch::Device resolve_device(std::string_view name);

/// The device name, as reports and explain write it: `cpu`, `cuda:0`, ...
std::string device_name(const torch::Device& device);

/// The device the `worker`-th of a comparison's parallel workers uses when
/// the comparison is configured with `configured` and the machine has
/// `cuda_devices` visible CUDA devices: with `cuda` or `auto` and more than
/// one device, worker k runs on cuda:(k mod devices), so that `--parallel N`
/// spreads its runs over the GPUs; otherwise the configured name, unchanged
/// (`cpu`, or a `cuda:N` that pins every worker to one device).
std::string device_of_worker(std::string_view configured, int worker, int cuda_devices);

/// Moves `model` to `device`; on a GPU its convolution weights (the 4-D
/// parameters) then take the channels-last (NHWC) layout. cuDNN's fastest
/// kernels, the tensor-core ones that bf16 uses, read and write NHWC: with
/// NHWC weights every convolution computes in that layout and its outputs
/// keep it, where NCHW weights cost a transposition around each one. On the
/// CPU the layout is left as it is (and with it every CPU result).
void place_model(torch::nn::Module& model, const torch::Device& device);

/// A random generator of its own on `device`, seeded with `seed`: Torch's
/// CPU generator on the CPU (the draws every earlier CPU run made); on a
/// GPU a generator of that device's kind, so that random draws (batch
/// orders, dropout masks, augmentations) are made where they are used and
/// never copied from the host, yet depend on the run's seed alone, not on
/// Torch's global generator that runs in other threads share.
at::Generator seeded_generator(const torch::Device& device, std::uint64_t seed);

}  // namespace al::engine
