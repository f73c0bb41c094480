// The selectors' inner loops. Built once per instruction set with GCC's
// target_clones, so the binary stays portable yet uses AVX2/AVX-512 where the
// CPU has them; 16 partial sums (one AVX-512 register of floats, two AVX2
// ones) let the compiler vectorise the reductions without -ffast-math.

#include "nearest_centre.hpp"

namespace al::engine::detail {

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ALPIPE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ALPIPE_VECTOR_CLONES
#endif

ALPIPE_VECTOR_CLONES
float squared_distance(const float* a, const float* b, std::int64_t d) {
  float lanes[16] = {};
  std::int64_t k = 0;
  for (; k + 16 <= d; k += 16) {
    for (int l = 0; l < 16; ++l) {
      const float diff = a[k + l] - b[k + l];
      lanes[l] += diff * diff;
    }
  }
  float sum = 0;
  for (; k < d; ++k) sum += (a[k] - b[k]) * (a[k] - b[k]);
  for (float lane : lanes) sum += lane;
  return sum;
}

ALPIPE_VECTOR_CLONES
float dot(const float* a, const float* b, std::int64_t d) {
  float lanes[16] = {};
  std::int64_t k = 0;
  for (; k + 16 <= d; k += 16) {
    for (int l = 0; l < 16; ++l) lanes[l] += a[k + l] * b[k + l];
  }
  float sum = 0;
  for (; k < d; ++k) sum += a[k] * b[k];
  for (float lane : lanes) sum += lane;
  return sum;
}

ALPIPE_VECTOR_CLONES
void nearest_from_dots(const float* dots, const float* centre_squared_norms, std::int64_t rows,
                       std::int64_t columns, float* minimum, std::int32_t* argmin) {
  for (std::int64_t i = 0; i < rows; ++i) {
    const float* row = dots + i * columns;
    float best = centre_squared_norms[0] - 2.0f * row[0];
    std::int32_t best_column = 0;
    for (std::int64_t j = 1; j < columns; ++j) {
      const float value = centre_squared_norms[j] - 2.0f * row[j];
      if (value < best) {  // strict: the first minimum wins ties
        best = value;
        best_column = static_cast<std::int32_t>(j);
      }
    }
    minimum[i] = best;
    argmin[i] = best_column;
  }
}

}  // namespace al::engine::detail
