#pragma once
// A random generator on a given device, seeded: what a selector's tensor
// code draws from, so that its draws happen where its data is and the same
// seed gives the same draws on that device.

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>

#include <torch/torch.h>

#include <cstdint>
#include <mutex>

namespace al::engine::detail {

/// A new generator on `device` seeded with `seed`, independent of the
/// device's default one (which a run's other draws use). Off the CPU it is
/// a clone of the device's default generator, reseeded: that needs no
/// device headers, so the code compiles against a CPU-only LibTorch too.
inline at::Generator seeded_generator(const torch::Device& device, std::uint64_t seed) {
  if (device.is_cpu()) return at::make_generator<at::CPUGeneratorImpl>(seed);
  // A handle sharing the default generator's state, not a copy of it.
  at::Generator shared = at::globalContext().defaultGenerator(device);
  at::Generator generator = [&] {
    // Another thread may advance the default generator's state while it is
    // copied; its mutex is what guards that state.
    const std::lock_guard lock(shared.mutex());
    return shared.clone();
  }();
  generator.set_current_seed(seed);
  return generator;
}

}  // namespace al::engine::detail
