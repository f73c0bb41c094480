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

#include <al/config.hpp>

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
  int local_world_size = 1;  // processes on this machine (LOCAL_WORLD_SIZE)
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

/// How long a rank waits for the others, at the rendezvous and in every
/// collective: torch.distributed's default.
inline constexpr std::chrono::minutes default_timeout{30};

/// The group of the job `where` describes when `mode` says to join it; null
/// when this process runs alone (automatic without a job, or off). `on`
/// without a job is an error saying what to set. The group is connected at
/// the first call and kept for the process's life: a program that runs
/// several runs in one job (seeds one after another) meets the other ranks
/// once.
class group* join_job(distributed_mode mode, const std::optional<environment>& where,
                      std::chrono::milliseconds timeout = default_timeout);

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

  /// Starts summing `flat` (one tensor in host memory) across ranks, in
  /// place and in the background; the function returned waits until the
  /// sum is there.
  [[nodiscard]] std::function<void()> start_sum(torch::Tensor flat);

  /// Every rank's `rows` ([n_r, ...] with the same trailing shape, n_r may
  /// differ between ranks), concatenated in rank order, on every rank.
  [[nodiscard]] torch::Tensor gather_rows(const torch::Tensor& rows);

  /// Fails on every rank, naming `what`, unless every rank passed the same
  /// `value` (e.g. a hash of the picks).
  void check_same(std::uint64_t value, std::string_view what);

  /// Every rank's `tensors` take rank `root`'s values, in place (same shapes
  /// and types on every rank).
  void broadcast(std::vector<torch::Tensor>& tensors, int root = 0);

  /// Every rank's `values` become rank `root`'s, whatever their length was.
  void broadcast(std::vector<std::int64_t>& values, int root = 0);

  /// Whether every rank passed true. A step only some ranks take (rank 0
  /// reading the results folder) ends with this, so that when it fails
  /// there the other ranks stop too instead of waiting in the next
  /// collective.
  [[nodiscard]] bool all(bool ok);

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

/// Sums the gradients of `parameters` over the ranks while backward runs,
/// as DistributedDataParallel does: the parameters are packed, in reverse
/// order (the order backward reaches them), into flat buckets of about
/// `bucket_bytes`; a hook on each parameter copies its gradient into its
/// bucket, and a full bucket's sum starts at once, in the background, while
/// backward goes on with the layers below. Buckets start in the same order
/// on every rank (a bucket waits for the ones before it), which c10d needs.
///
/// Each step: backward on this rank's slice with its mean loss weighted by
/// (slice rows / global rows), or no backward at all for an empty slice,
/// then finish(): every parameter then holds the gradient of the global
/// batch's mean loss, what one process training on the whole batch would
/// have. A parameter that got no gradient on a rank counts as zeros there;
/// one that got none on any rank is left as it was (no gradient), so that
/// the optimiser leaves it alone as it would in one process.
class gradient_buckets {
 public:
  gradient_buckets(group& ranks, const std::vector<torch::Tensor>& parameters,
                   std::int64_t bucket_bytes = 25 << 20);
  ~gradient_buckets();  // removes the hooks
  gradient_buckets(const gradient_buckets&) = delete;
  gradient_buckets& operator=(const gradient_buckets&) = delete;

  /// Starts the buckets backward did not fill, waits for every sum, writes
  /// the sums into the gradients, and gets ready for the next step.
  void finish();

  /// How many buckets the parameters took.
  [[nodiscard]] std::size_t buckets() const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

/// Replaces every floating-point buffer of `module` (batch norm's running
/// mean and variance) by its mean over the ranks. Each rank's batch norm saw
/// only its slices, so the statistics differ a little between ranks; the
/// mean is close to what one process would have tracked over whole batches,
/// and leaves every rank with the same model.
void average_buffers(group& ranks, torch::nn::Module& module);

/// Every parameter and buffer of `module` takes rank 0's values: the ranks
/// start from one model however each came by its weights.
void broadcast_module(group& ranks, torch::nn::Module& module);

/// A hash of the tensors' values and shapes, for check_same.
std::uint64_t hash_of(const std::vector<torch::Tensor>& tensors);

/// The group the run on this thread computes with; null in a single-process
/// run. The training, scoring and pretraining loops read it, so that their
/// signatures stay those a single process calls.
group* current();

/// Makes `ranks` the current group of this thread while alive.
class current_scope {
 public:
  explicit current_scope(group* ranks);
  ~current_scope();
  current_scope(const current_scope&) = delete;
  current_scope& operator=(const current_scope&) = delete;

 private:
  group* previous_;
};

/// Rows [first, last) of `rows` that rank `rank` of `size` computes when a
/// pass over them runs in blocks of `block` rows: whole blocks, contiguous
/// and in rank order, so the gathered result follows the rows' order.
std::pair<std::int64_t, std::int64_t> blocks_of_rank(std::int64_t rows, std::int64_t block,
                                                     int rank, int size);

}  // namespace al::engine::distributed
