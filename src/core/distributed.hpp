#pragma once
// Data-parallel runs on torch.distributed's c10d, the collective layer
// PyTorch's own DistributedDataParallel uses (Gloo on CPU): where this process
// sits in the job, read from the environment torchrun sets, and the few
// collectives a data-parallel engine needs — gradients summed across ranks in
// buckets, rows gathered from every rank, and a check that every rank holds
// the same value (the same picks, the same labelled set).
//
// The c10d and Gloo headers stay in distributed.cpp: nothing else in the
// engine sees them.

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace al::engine::distributed {

/// This process's place in a job of `world_size` processes. Rank 0 hosts the
/// rendezvous at master_address:master_port.
struct environment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;  // rank among the processes of this machine
  std::string master_address;
  int master_port = 0;
};

/// Looks up one environment variable; nullptr when it is unset.
using variable_lookup = std::function<const char*(const char*)>;

/// The job described by RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
/// MASTER_PORT, as torchrun (and a Slurm script that exports them) sets
/// them; nullopt when WORLD_SIZE is unset or 1 — a single process. A value
/// that is not a number, a rank outside [0, WORLD_SIZE), a missing address
/// or a port outside 1–65535 is an error naming the variable and the fix.
std::optional<environment> environment_from(const variable_lookup& lookup);

/// The same from this process's environment.
std::optional<environment> environment_from_process();

/// Whether this build has c10d's Gloo process group (Debian: libgloo-dev's
/// headers at build time).
bool available();

/// A connected process group. Every collective must be called by every rank
/// in the same order, as with torch.distributed.
class group {
 public:
  /// Meets the other ranks at the rendezvous (rank 0 serves it) and connects
  /// over TCP; waits at most `timeout` for all of them, then fails naming
  /// the address and the ranks expected.
  static std::unique_ptr<group> connect(const environment& where,
                                        std::chrono::milliseconds timeout);
  ~group();
  group(const group&) = delete;
  group& operator=(const group&) = delete;

  [[nodiscard]] int rank() const;
  [[nodiscard]] int size() const;

  /// Sums each tensor across ranks, in place. Same-typed tensors are packed
  /// into flat buckets of about `bucket_bytes`, so that many small tensors
  /// (a model's gradients) cost a few collectives, not one each; the
  /// buckets are all started before the first is waited for.
  void sum(std::vector<torch::Tensor>& tensors, std::int64_t bucket_bytes = 25 << 20);

  /// Every rank's `rows` ([n_r, ...] with the same trailing shape, n_r may
  /// differ between ranks), concatenated in rank order, on every rank.
  [[nodiscard]] torch::Tensor gather_rows(const torch::Tensor& rows);

  /// Fails on every rank, naming `what`, unless every rank passed the same
  /// `value` (e.g. a hash of the picks).
  void check_same(std::uint64_t value, std::string_view what);

 private:
  struct impl;
  explicit group(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

/// Rank `rank`'s rows [first, last) of a global batch of `rows` split over
/// `size` ranks: contiguous, in rank order, the first rows % size ranks one
/// row more. Every rank draws the same global batch from the same stream
/// and trains on its slice, so the job's batch is the single process's.
std::pair<std::int64_t, std::int64_t> slice_of_batch(std::int64_t rows, int rank, int size);

/// After backward on this rank's slice with its mean loss weighted by
/// (slice rows / global rows): sums every parameter's gradient over the
/// ranks, so that each holds the gradient of the global batch's mean loss,
/// what one process training on the whole batch would have. A parameter
/// without a gradient on this rank is summed as zeros, so that every rank
/// sends the same buckets.
void sum_gradients(group& ranks, const std::vector<torch::Tensor>& parameters);

}  // namespace al::engine::distributed
