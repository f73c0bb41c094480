#pragma once
// How many threads the engine's CPU work runs on: Torch's intra-op pool, and
// the BLAS library's own pool beside it. Opt-in engine header.

namespace al::engine {

/// The most threads a run may ask for: four per core. More only queue up
/// (and thousands load the machine for minutes before the first line).
int max_threads();

/// Throws std::invalid_argument naming `option` unless `threads` is 0
/// (every core) or from 1 to max_threads().
void check_thread_count(int threads, const char* option = "config.threads (--threads)");

/// Sets Torch's intra-op threads to `threads`, or to every core when 0
/// (Debian's LibTorch starts with one), and OpenBLAS's to one: Torch's
/// threads already call it side by side (src/core/threads.cpp says why).
/// Checks the count first (check_thread_count).
void set_torch_threads(int threads);

/// OpenBLAS's thread count; 0 when the BLAS in this process is not OpenBLAS
/// (MKL in a CUDA LibTorch, the reference BLAS).
int blas_threads();

/// While alive, OpenBLAS runs on as many threads as Torch had, and Torch's
/// own operations on this thread on one: for large GEMMs called outside
/// Torch's parallel regions, which only OpenBLAS can spread over the cores
/// (coreset's nearest centres, k-means, probcover's graph), with nothing
/// of Torch's spinning on those cores between them. When the last scope of
/// this thread closes, Torch's count returns; when the last open scope
/// closes, in any order and from any thread, OpenBLAS's.
class parallel_blas_scope {
 public:
  parallel_blas_scope();
  ~parallel_blas_scope();
  parallel_blas_scope(const parallel_blas_scope&) = delete;
  parallel_blas_scope& operator=(const parallel_blas_scope&) = delete;
};

}  // namespace al::engine
