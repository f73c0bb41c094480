// Torch's thread pool and OpenBLAS's.
//
// Debian's LibTorch computes a CPU convolution as one GEMM per image inside
// Torch's parallel_for, and its BLAS is OpenBLAS built on pthreads, which
// keeps a pool of its own and cannot tell that its caller is one of Torch's
// threads. Left at its default of every core, each of Torch's threads asks
// OpenBLAS's pool for every core as well: on 2 cores, 4 busy threads that
// spin and yield (a quarter of the CPU time in the kernel). Training the
// small CNN ran at about 1 750 samples/s so, and at about 3 500 with
// OpenBLAS on one thread (docs/benchmarks.md). So Torch's pool is the one that spreads the work,
// and OpenBLAS runs on the thread that calls it, except for the few large
// GEMMs called outside Torch's parallel regions (parallel_blas_scope).
//
// OpenBLAS is found by name at run time rather than linked: with any other
// BLAS these calls do nothing. (MKL, in the official LibTorch builds, needs
// no help: Torch sets its threads, and inside Torch's OpenMP regions it runs
// on the calling thread.)

#include <al/engine/threads.hpp>

#include <torch/torch.h>

#include <dlfcn.h>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <mutex>
#include <thread>

namespace al::engine {
namespace {

using set_threads_fn = void (*)(int);
using get_threads_fn = int (*)();

set_threads_fn openblas_set_threads() {
  static const auto found =
      reinterpret_cast<set_threads_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return found;
}

get_threads_fn openblas_get_threads() {
  static const auto found =
      reinterpret_cast<get_threads_fn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return found;
}

void set_blas_threads(int threads) {
  if (const auto set = openblas_set_threads()) set(threads);
}

}  // namespace

namespace {
int cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }
}  // namespace

int max_threads() { return 4 * cores(); }

void check_thread_count(int threads, const char* option) {
  if (threads >= 0 && threads <= max_threads()) return;
  throw std::invalid_argument(fmt::format(
      "{} must be 0 (every core) or from 1 to {} (four per core of this machine's {}); got {}",
      option, max_threads(), cores(), threads));
}

void set_torch_threads(int threads) {
  check_thread_count(threads);
  torch::set_num_threads(threads > 0 ? threads : cores());
  set_blas_threads(1);
}

int blas_threads() {
  const auto get = openblas_get_threads();
  return get && openblas_set_threads() ? get() : 0;
}

// OpenBLAS's thread count is one setting for the whole process, and runs of
// a comparison select side by side: the first scope to open saves it, the
// last to close restores it, whatever order they close in.
//
// Torch's own operations inside a scope run on the calling thread alone.
// Its OpenMP workers spin for a while after each parallel operation, waiting
// for the next; between the GEMMs of a selection (an argmin, a mask, a sum
// after each) they kept spinning on the cores OpenBLAS's threads needed, and
// each GEMM waited for them: probcover's whole selection on 60 000 × 512
// took 5-6 s so, 2.5 s with Torch on one thread (docs/benchmarks.md). The
// work between the GEMMs is a pass over memory that one thread does as fast.
// Torch's thread count is the calling thread's (OpenMP keeps one per
// thread), so it is saved and restored per thread.
namespace {
std::mutex scopes_mutex;
int open_scopes = 0;
int saved_blas_threads = 0;
thread_local int scopes_on_this_thread = 0;
thread_local int saved_torch_threads = 0;
}  // namespace

parallel_blas_scope::parallel_blas_scope() {
  if (scopes_on_this_thread++ == 0) saved_torch_threads = torch::get_num_threads();
  {
    const std::lock_guard lock(scopes_mutex);
    if (open_scopes++ == 0) {
      saved_blas_threads = blas_threads();
      set_blas_threads(saved_torch_threads);
    }
  }
  torch::set_num_threads(1);
}

parallel_blas_scope::~parallel_blas_scope() {
  if (--scopes_on_this_thread == 0) torch::set_num_threads(saved_torch_threads);
  const std::lock_guard lock(scopes_mutex);
  if (--open_scopes == 0 && saved_blas_threads > 0) set_blas_threads(saved_blas_threads);
}

}  // namespace al::engine
