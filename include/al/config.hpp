#pragma once
// Run configuration: everything about a run that is not the pipeline itself
// (data, seed, device, where results go). Plain data, no LibTorch.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace al {

namespace engine {
class classifier;  // defined in <al/engine/model.hpp> (opt-in, LibTorch)

/// What a model factory is told about the data it will see.
struct input_shape {
  std::int64_t channels = 1;
  std::int64_t height = 28;
  std::int64_t width = 28;
  std::int64_t num_classes = 10;
};
}  // namespace engine

/// Where the data comes from and how much of it a run uses.
struct data_config {
  /// `fashion-mnist` (default), `mnist`, `cifar10` or `blobs` (synthetic).
  std::string name = "fashion-mnist";
  /// Folder with the data files. Empty: `$ALPIPE_DATA` if set, otherwise the
  /// Debian package's folder for Fashion-MNIST.
  std::filesystem::path folder;
  /// Size of the unlabelled pool drawn from the training split; 0 = all.
  std::int64_t pool_size = 0;
  /// Size of the test split used to evaluate; 0 = all.
  std::int64_t test_size = 0;
  /// Seed of the pool and test subsets. Fixed separately from the run's seed
  /// so that every seed of a comparison sees the same pool.
  std::uint64_t subset_seed = 0;
  /// Long-tailed pool (imbalanced data), 0 = off. With rho in (0, 1], after
  /// the pool_size draw class c keeps floor(n_max * rho^(c / (K - 1)))
  /// samples (at least 1), n_max being the smallest class count of the pool
  /// before the cut: class 0 keeps n_max, class K - 1 keeps n_max * rho. The
  /// samples kept are drawn with subset_seed; the test split stays balanced.
  double long_tail = 0;
  /// Options of `blobs` (tests): samples per class, classes, dimensions.
  std::int64_t blobs_train_per_class = 200;
  std::int64_t blobs_test_per_class = 100;
  std::int64_t blobs_classes = 4;
  std::int64_t blobs_dimensions = 8;
};

/// Where the Debian package `dataset-fashion-mnist` puts its files.
inline constexpr const char* debian_fashion_mnist_folder = "/usr/share/datasets/fashion-mnist";

/// The folder a data set is read from: `config.folder` if set, else
/// `$ALPIPE_DATA` if set, else the Debian package's folder for Fashion-MNIST
/// (`/usr/share/datasets/<name>` for the others).
inline std::filesystem::path data_folder(const data_config& config) {
  if (!config.folder.empty()) return config.folder;
  if (const char* from_environment = std::getenv("ALPIPE_DATA");
      from_environment != nullptr && *from_environment != '\0') {
    return from_environment;
  }
  if (config.name == "fashion-mnist") return debian_fashion_mnist_folder;
  // No Debian package ships the others; this is where one would put them,
  // and the loader's error then says to set ALPIPE_DATA.
  return std::filesystem::path("/usr/share/datasets") / config.name;
}

/// Builds the classifier for a run (see <al/engine/model.hpp>). Called once
/// per run under the run's seed; its initial weights are the run's initial
/// weights.
using model_factory =
    std::function<std::shared_ptr<engine::classifier>(const engine::input_shape&)>;

/// Who answers a run's queries.
enum class oracle_kind {
  ground_truth,  // the data set's labels (simulated)
  noisy,         // the data set's labels, each flipped with probability flip_rate (simulated)
  human,         // a person: each query is written out and the run stops until it is labelled
};

/// The oracle of a run. Every kind goes through the same labelling path; the
/// answers are recorded per cycle (cycles.jsonl "labels") and the model
/// trains on them, while accuracy is measured against the test split.
struct oracle_config {
  oracle_kind kind = oracle_kind::ground_truth;
  /// noisy: the probability that an answer is replaced by another class,
  /// drawn uniformly, from the run's seed. In [0, 1).
  double flip_rate = 0;
};

/// The data set's labels.
inline oracle_config ground_truth_oracle() { return {}; }
/// The data set's labels, each flipped to another class with probability
/// `flip_rate`: how a strategy copes with a careless annotator.
inline oracle_config noisy_oracle(double flip_rate) { return {oracle_kind::noisy, flip_rate}; }
/// A person labels each query (docs/human-oracle.md).
inline oracle_config human_oracle() { return {oracle_kind::human, 0}; }

/// Whether a run trains data-parallel over the processes of a job that
/// torchrun (or a Slurm script) started, as described by the environment's
/// WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR and MASTER_PORT
/// (docs/comparisons.md, "One run over several processes").
enum class distributed_mode {
  automatic,  // join the job when WORLD_SIZE > 1, else run alone
  on,         // join the job; a missing WORLD_SIZE is an error
  off,        // run alone whatever the environment says
};

/// How a run is executed. Defaults give the fair protocol on Fashion-MNIST.
struct config {
  data_config data;
  /// Fixes the initial set, the initial weights, data order and every random
  /// choice of a run.
  std::uint64_t seed = 0;
  /// `auto` (the first CUDA device when available, else the CPU), `cpu`,
  /// `cuda` (the first CUDA device) or `cuda:N`. A comparison with `cuda` or
  /// `auto` that runs several at a time spreads them over the GPUs.
  std::string device = "auto";
  /// Torch intra-op threads; 0 = all cores of the machine. (OpenBLAS then runs
  /// on one thread inside each: Torch's threads already call it side by side.)
  int threads = 0;
  /// Parent folder of results; each run writes `results_dir / run_name`.
  std::filesystem::path results_dir = "results";
  /// Name of the run's folder; empty = derived from the pipeline and seed.
  std::string run_name;
  /// Built-in model: `auto` (by data shape), `small_cnn`, `cifar_cnn`,
  /// `resnet18` (for a GPU), `mlp`.
  std::string model = "auto";
  /// A user's own model; when set it replaces `model`.
  model_factory custom_model;
  /// Print one line per cycle while running.
  bool verbose = true;
  /// Reuse pretrained encoders from `cache_dir` (see al/pretrain_cache.hpp):
  /// a comparison pretrains once per seed, not once per strategy.
  bool pretrain_cache = true;
  /// Folder of the pretraining cache; empty = `results_dir / "cache"`.
  std::filesystem::path cache_dir;
  /// Who labels the queries; the data set's labels by default.
  oracle_config oracle;
  /// One process at a time works in a results folder (it holds run.lock):
  /// false, a second one stops with a message naming the first; true, it
  /// waits for the first to finish (alpipe: --wait).
  bool wait_for_lock = false;
  /// Data-parallel training, scoring and pretraining over a job's processes
  /// (alpipe: --distributed on|off|auto).
  distributed_mode distributed = distributed_mode::automatic;
};

}  // namespace al
