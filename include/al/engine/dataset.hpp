#pragma once
// Engine-side data: image tensors, labels and the loaders that make them.
// Opt-in engine header: it includes LibTorch, so only engine code and user
// programs that bring their own data or model include it.

#include <al/config.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace al::engine {

/// One split of a labelled image data set, held in memory.
/// `images` is float32 [N, C, H, W], normalised (zero mean, unit variance per
/// channel, statistics of the training split); `labels` is int64 [N].
struct labelled_images {
  torch::Tensor images;
  torch::Tensor labels;

  [[nodiscard]] std::int64_t size() const { return labels.size(0); }
};

/// A data set: a training split (the pool is drawn from it), a test split
/// (used only to evaluate) and the names of the classes.
struct dataset {
  std::string name;
  labelled_images train;
  labelled_images test;
  std::vector<std::string> class_names;
  /// The normalisation: images = (pixels in [0, 1] - mean) / std, per
  /// channel, [1, C, 1, 1]. Augmentations undo it to work on pixels.
  torch::Tensor channel_mean;
  torch::Tensor channel_std;

  [[nodiscard]] std::int64_t num_classes() const {
    return static_cast<std::int64_t>(class_names.size());
  }
};

/// Thrown for any data that cannot be read; the message names the file,
/// what is wrong with it and how to fix it.
struct data_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Reads an IDX image file (magic 0x00000803, uint8 [N, rows, cols]), raw
/// or gzip-compressed, as uint8 [N, 1, rows, cols].
torch::Tensor read_idx_images(const std::filesystem::path& file);

/// Reads an IDX label file (magic 0x00000801, uint8 [N]) as int64 [N].
torch::Tensor read_idx_labels(const std::filesystem::path& file);

/// Loads MNIST or Fashion-MNIST from a folder holding the four standard
/// files (`train-images-idx3-ubyte[.gz]`, …, `t10k-labels-idx1-ubyte[.gz]`).
/// `fashion` picks the class names.
dataset load_mnist_folder(const std::filesystem::path& folder, bool fashion);

/// Loads CIFAR-10 in its binary form (`data_batch_1.bin` … `data_batch_5.bin`,
/// `test_batch.bin`, optionally `batches.meta.txt`) from `folder`.
dataset load_cifar10_folder(const std::filesystem::path& folder);

/// Options of the synthetic Gaussian blobs used by tests and examples that
/// must not depend on files: `num_classes` well-separated clusters in
/// `dimensions` dimensions, stored as images of shape [N, 1, 1, dimensions].
struct blobs_options {
  std::int64_t train_per_class = 200;
  std::int64_t test_per_class = 100;
  std::int64_t num_classes = 4;
  std::int64_t dimensions = 8;
  double spread = 1.0;      // standard deviation of each blob
  double separation = 4.0;  // distance scale between blob centres
  std::uint64_t seed = 0;
};
dataset make_blobs(const blobs_options& options);

/// Normalises both splits with the training split's per-channel mean and
/// standard deviation (so no statistic ever comes from the test set).
/// Accepts uint8 or float images; returns float32.
void normalise_per_channel(dataset& data);

/// A reproducible subset of `split`: `count` samples drawn without
/// replacement with `seed`, in increasing index order. `count` larger than
/// the split is an error that says both sizes.
labelled_images random_subset(const labelled_images& split, std::int64_t count,
                              std::uint64_t seed);

/// How many samples each class keeps in a long-tailed cut with factor `rho`
/// in (0, 1]: floor(n_max · rho^(c / (K − 1))), at least 1, with n_max the
/// smallest of `class_counts` (so every class can fill its share). A rho
/// outside (0, 1] is an error.
std::vector<std::int64_t> long_tail_counts(const std::vector<std::int64_t>& class_counts,
                                           double rho);

/// The long-tailed cut of `split` (config.data.long_tail): class c keeps
/// long_tail_counts(...)[c] of its samples, drawn without replacement with
/// `seed`, in increasing index order.
labelled_images long_tail_subset(const labelled_images& split, double rho,
                                 std::int64_t num_classes, std::uint64_t seed);

/// The folder a data set is read from: `config.folder` if set, else
/// `$ALPIPE_DATA` if set, else the Debian package's folder
/// (`/usr/share/datasets/fashion-mnist` for Fashion-MNIST).
std::filesystem::path resolve_data_folder(const al::data_config& config);

/// Loads the data set a run asks for, normalised, with the pool
/// (`pool_size`) and test (`test_size`) subsets drawn with `subset_seed`.
/// Missing files name the folder, the file, the environment variable and the
/// Debian package that provides them.
dataset load_dataset(const al::data_config& config);

}  // namespace al::engine
