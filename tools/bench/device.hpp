#pragma once
// The benchmarks' --device: cpu, cuda or cuda:N, and a clock that is only
// read once the device has finished. CUDA kernels run asynchronously, so a
// stopwatch read right after a call would time the launches, not the work.
//
//   const auto device = al::bench::parse_device(name);
//   const auto start = clock_type::now();
//   run_on(device);
//   al::bench::synchronize(device);
//   fmt::print("{:.2f} s\n", seconds_since(start));

#include <al/engine/training.hpp>

#include <torch/cuda.h>
#include <torch/torch.h>

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace al::bench {

/// `cpu`, `cuda` (through al::engine::resolve_device, which says when there
/// is no CUDA device) or `cuda:N` for the N-th GPU.
inline torch::Device parse_device(const std::string& name) {
  if (name.rfind("cuda:", 0) != 0) return al::engine::resolve_device(name);
  const torch::Device device(name);  // throws on a malformed index
  if (!torch::cuda::is_available() ||
      device.index() >= static_cast<int>(torch::cuda::device_count())) {
    throw std::invalid_argument(fmt::format("device \"{}\" was asked for but this LibTorch sees {} CUDA "
                                            "device(s)", name, torch::cuda::device_count()));
  }
  return device;
}

/// Waits for every kernel queued on `device` (nothing to wait for on the CPU).
/// torch::cuda::synchronize exists in every LibTorch, the CPU-only ones
/// included, where it is never reached.
inline void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

}  // namespace al::bench
