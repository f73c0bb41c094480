#pragma once
// Deriving independent random streams from one run seed.
//
// A seed fixes the whole tuple of a run (initial set, initial weights, data
// order, every random query). Each use draws from its own stream, derived
// from the seed and a purpose, so that, for example, the initial set does not
// depend on which strategy runs afterwards.

#include <cstdint>
#include <string_view>

namespace al {

/// SplitMix64's finaliser: a bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// The seed of the stream `purpose` (e.g. "initial", "shuffle") number
/// `index` (e.g. the cycle) of a run with seed `seed`.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::string_view purpose,
                                    std::uint64_t index = 0) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the purpose
  for (char c : purpose) {
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  // Torch generators take signed seeds in places; keep the top bit clear.
  return mix64(mix64(seed ^ h) + index) >> 1;
}

}  // namespace al
