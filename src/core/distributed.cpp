// c10d's Gloo process group behind the engine's few collectives (see
// distributed.hpp). Built without Gloo's headers, connect() says how to get
// them; the environment is read and checked either way.

#include "distributed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <system_error>

#if ALPIPE_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace al::engine::distributed {
namespace {

/// `text` as an integer in [low, high], or an error naming `name` and `fix`.
int integer_variable(const char* name, const char* text, long long low, long long high,
                     std::string_view fix) {
  long long value = 0;
  const std::string_view view(text);
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (error != std::errc{} || end != view.data() + view.size() || value < low || value > high) {
    throw std::invalid_argument(fmt::format("{}=\"{}\" is not an integer from {} to {}: {}", name,
                                            view, low, high, fix));
  }
  return static_cast<int>(value);
}

}  // namespace

std::optional<environment> environment_from(const variable_lookup& lookup) {
  const char* world = lookup("WORLD_SIZE");
  if (world == nullptr || std::string_view(world).empty()) return std::nullopt;
  constexpr long long most_ranks = 1 << 16;
  environment where;
  where.world_size = integer_variable("WORLD_SIZE", world, 1, most_ranks,
                                      "the number of processes in the job (torchrun sets it)");
  if (where.world_size == 1) return std::nullopt;
  const char* rank = lookup("RANK");
  if (rank == nullptr) {
    throw std::invalid_argument(fmt::format(
        "WORLD_SIZE={} but RANK is not set: set RANK to this process's number, 0 to {} "
        "(torchrun sets both; with Slurm, RANK=$SLURM_PROCID)",
        where.world_size, where.world_size - 1));
  }
  where.rank = integer_variable("RANK", rank, 0, where.world_size - 1,
                                "this process's number in the job, below WORLD_SIZE");
  const char* local = lookup("LOCAL_RANK");
  where.local_rank = local == nullptr
                         ? 0
                         : integer_variable("LOCAL_RANK", local, 0, where.world_size - 1,
                                            "this process's number on its machine");
  const char* address = lookup("MASTER_ADDR");
  if (address == nullptr || std::string_view(address).empty()) {
    throw std::invalid_argument(
        "MASTER_ADDR is not set: set it to the host name or address of the machine running "
        "rank 0 (torchrun sets it; 127.0.0.1 when every rank runs on one machine)");
  }
  where.master_address = address;
  const char* port = lookup("MASTER_PORT");
  if (port == nullptr) {
    throw std::invalid_argument(
        "MASTER_PORT is not set: set it to a free TCP port on rank 0's machine, the same for "
        "every rank (torchrun sets it)");
  }
  where.master_port = integer_variable("MASTER_PORT", port, 1, 65535,
                                       "a free TCP port on rank 0's machine");
  return where;
}

std::optional<environment> environment_from_process() {
  return environment_from([](const char* name) { return std::getenv(name); });
}

#if ALPIPE_HAVE_GLOO

bool available() { return true; }

struct group::impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
  int rank = 0;
  int size = 1;
};

std::unique_ptr<group> group::connect(const environment& where,
                                      std::chrono::milliseconds timeout) {
  auto state = std::make_unique<impl>();
  state->rank = where.rank;
  state->size = where.world_size;
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(where.master_port);
    options.isServer = where.rank == 0;
    options.numWorkers = static_cast<std::size_t>(where.world_size);
    options.waitWorkers = true;
    options.timeout = timeout;
    state->store = c10::make_intrusive<c10d::TCPStore>(where.master_address, options);
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
    // The interface that reaches rank 0's address, as torch.distributed picks it.
    gloo_options->devices.push_back(
        c10d::ProcessGroupGloo::createDeviceForHostname(where.master_address));
    state->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(state->store, where.rank,
                                                             where.world_size, gloo_options);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format(
        "rank {} of {} could not meet the others at {}:{} within {} s: {} (start every rank with "
        "the same MASTER_ADDR and MASTER_PORT, and check that rank 0's port is free and reachable)",
        where.rank, where.world_size, where.master_address, where.master_port,
        std::chrono::duration_cast<std::chrono::seconds>(timeout).count(), e.what()));
  }
  return std::unique_ptr<group>(new group(std::move(state)));
}

void group::sum(std::vector<torch::Tensor>& tensors, std::int64_t bucket_bytes) {
  // Buckets of consecutive same-typed tensors, flattened into one buffer each.
  struct bucket {
    std::vector<std::size_t> members;
    std::vector<at::Tensor> buffer;  // one flat tensor, as c10d takes a vector
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<bucket> buckets;
  std::int64_t filled = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = tensors[i];
    const auto bytes = t.numel() * static_cast<std::int64_t>(t.element_size());
    const bool fits = !buckets.empty() && filled + bytes <= bucket_bytes &&
                      tensors[buckets.back().members.front()].scalar_type() == t.scalar_type();
    if (!fits) {
      buckets.emplace_back();
      filled = 0;
    }
    buckets.back().members.push_back(i);
    filled += bytes;
  }
  for (auto& b : buckets) {
    std::vector<torch::Tensor> flat;
    flat.reserve(b.members.size());
    for (auto i : b.members) flat.push_back(tensors[i].reshape({-1}));
    b.buffer = {torch::cat(flat)};
    b.work = impl_->gloo->allreduce(b.buffer);  // all started before any is awaited
  }
  for (auto& b : buckets) {
    b.work->wait();
    std::int64_t at = 0;
    for (auto i : b.members) {
      auto& t = tensors[i];
      t.copy_(b.buffer[0].slice(0, at, at + t.numel()).view(t.sizes()));
      at += t.numel();
    }
  }
}

torch::Tensor group::gather_rows(const torch::Tensor& rows) {
  // Gloo gathers equal sizes: first every rank's row count, then the rows
  // padded to the longest, then each rank's own count kept.
  std::vector<at::Tensor> count{torch::tensor({rows.size(0)}, torch::kLong)};
  std::vector<std::vector<at::Tensor>> counts(1);
  for (int r = 0; r < impl_->size; ++r) counts[0].push_back(torch::empty({1}, torch::kLong));
  impl_->gloo->allgather(counts, count)->wait();
  std::int64_t longest = 0;
  for (const auto& c : counts[0]) longest = std::max(longest, c.item<std::int64_t>());
  auto shape = rows.sizes().vec();
  shape[0] = longest;
  auto padded = torch::zeros(shape, rows.options().device(torch::kCPU));
  padded.slice(0, 0, rows.size(0)).copy_(rows);
  std::vector<at::Tensor> mine{padded};
  std::vector<std::vector<at::Tensor>> all(1);
  for (int r = 0; r < impl_->size; ++r) all[0].push_back(torch::empty_like(padded));
  impl_->gloo->allgather(all, mine)->wait();
  std::vector<torch::Tensor> parts;
  for (int r = 0; r < impl_->size; ++r) {
    parts.push_back(all[0][static_cast<std::size_t>(r)].slice(
        0, 0, counts[0][static_cast<std::size_t>(r)].item<std::int64_t>()));
  }
  return torch::cat(parts).to(rows.device());
}

void group::check_same(std::uint64_t value, std::string_view what) {
  // The smallest and the largest value over the ranks agree only when every
  // rank has the same one. (c10d has no unsigned 64-bit type: the bits go
  // as int64.)
  std::int64_t bits = 0;
  static_assert(sizeof bits == sizeof value);
  std::memcpy(&bits, &value, sizeof bits);
  std::vector<at::Tensor> low{torch::tensor({bits}, torch::kLong)};
  std::vector<at::Tensor> high{torch::tensor({bits}, torch::kLong)};
  c10d::AllreduceOptions smallest, largest;
  smallest.reduceOp = c10d::ReduceOp::MIN;
  largest.reduceOp = c10d::ReduceOp::MAX;
  impl_->gloo->allreduce(low, smallest)->wait();
  impl_->gloo->allreduce(high, largest)->wait();
  if (!low[0].equal(high[0])) {
    throw std::runtime_error(fmt::format(
        "the ranks disagree on {} (rank {} has {:016x}): a data-parallel run must give every "
        "rank the same data, seed and alpipe build",
        what, impl_->rank, value));
  }
}

#else  // built without Gloo

bool available() { return false; }

struct group::impl {
  int rank = 0;
  int size = 1;
};

std::unique_ptr<group> group::connect(const environment&, std::chrono::milliseconds) {
  throw std::runtime_error(
      "this alpipe was built without torch.distributed's Gloo process group: install Gloo's "
      "headers (Debian: libgloo-dev, which tools/setup installs) and build again");
}

// No group is ever made without Gloo (connect throws), so these never run.
void group::sum(std::vector<torch::Tensor>&, std::int64_t) {}
torch::Tensor group::gather_rows(const torch::Tensor& rows) { return rows; }
void group::check_same(std::uint64_t, std::string_view) {}

#endif

group::group(std::unique_ptr<impl> state) : impl_(std::move(state)) {}
group::~group() = default;
int group::rank() const { return impl_->rank; }
int group::size() const { return impl_->size; }

}  // namespace al::engine::distributed
