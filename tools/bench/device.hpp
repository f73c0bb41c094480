#pragma once
// The benchmarks' --device: cpu, cuda or cuda:N, and a clock that is only
// read once the device has finished. CUDA kernels run asynchronously, so a
// stopwatch read right after a call would time the launches, not the work.
//
//   const auto device = al::engine::resolve_device(name);  // cpu, cuda, cuda:N
//   const auto start = clock_type::now();
//   run_on(device);
//   al::bench::synchronize(device);
//   fmt::print("{:.2f} s\n", seconds_since(start));

#include <al/engine/devices.hpp>

#include <torch/cuda.h>
#include <torch/torch.h>

namespace al::bench {

/// Waits for every kernel queued on `device` (nothing to wait for on the CPU).
/// torch::cuda::synchronize exists in every LibTorch, the CPU-only ones
/// included, where it is never reached.
inline void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

}  // namespace al::bench
