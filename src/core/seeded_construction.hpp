#pragma once
// Module constructors draw their initial weights from Torch's global
// generator. Seeding it and constructing must happen as one step, or two runs
// building models at once would interleave their draws.

#include <al/seed.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <mutex>
#include <utility>

namespace al::engine {

inline std::mutex& global_generator_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// `make()` with Torch's global generator seeded with `seed`, under a lock.
template <class Make>
auto construct_seeded(std::uint64_t seed, Make&& make) {
  std::lock_guard lock(global_generator_mutex());
  torch::manual_seed(seed);
  return std::forward<Make>(make)();
}

}  // namespace al::engine
