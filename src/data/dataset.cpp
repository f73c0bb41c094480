// Normalisation, reproducible subsets and the choice of which data set a run
// loads from where.

#include <ATen/CPUGeneratorImpl.h>

#include "quoted_path.hpp"

#include <al/engine/dataset.hpp>
#include <al/seed.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace al::engine {
namespace {

constexpr const char* known_data_sets = "fashion-mnist, mnist, cifar10, blobs";

// The pool and the test subset are drawn from different splits, but with the
// same seed their index draws would still be the same permutation; mixing
// the seed decorrelates them while keeping one knob (subset_seed).
constexpr std::uint64_t test_subset_seed_mix = 0x9e3779b97f4a7c15ULL;

using detail::quoted;

/// The IDX file `base_name` in `folder`, compressed or not, whichever exists.
std::filesystem::path find_idx_file(const std::filesystem::path& folder,
                                    const std::string& base_name, bool fashion) {
  std::error_code error;
  for (const auto& candidate : {folder / (base_name + ".gz"), folder / base_name}) {
    if (std::filesystem::is_regular_file(candidate, error)) return candidate;
  }
  for (const auto& candidate : {folder / (base_name + ".gz"), folder / base_name}) {
    if (std::filesystem::exists(candidate, error)) {
      throw data_error(quoted(candidate) + " is " +
                       (std::filesystem::is_directory(candidate, error) ? "a folder" : "not a regular file") +
                       ", not the IDX file; move it away and put the data file there (or set "
                       "ALPIPE_DATA / config.data.folder to a folder with the IDX files)");
    }
  }
  std::string message = quoted(folder / (base_name + ".gz")) + " (or without .gz) not found";
  if (!std::filesystem::is_directory(folder, error)) {
    message += " (the folder " + quoted(folder) + " does not exist)";
  }
  if (fashion) {
    message +=
        "; install Debian's dataset-fashion-mnist (tools/setup does) or set ALPIPE_DATA / "
        "config.data.folder to a folder with the IDX files";
  } else {
    message += "; set ALPIPE_DATA / config.data.folder to a folder with MNIST's four IDX files";
  }
  throw data_error(message);
}

labelled_images read_idx_split(const std::filesystem::path& folder, const std::string& prefix,
                               bool fashion, std::int64_t num_classes) {
  const auto images_file = find_idx_file(folder, prefix + "-images-idx3-ubyte", fashion);
  const auto labels_file = find_idx_file(folder, prefix + "-labels-idx1-ubyte", fashion);
  labelled_images split{read_idx_images(images_file), read_idx_labels(labels_file)};
  if (split.images.size(0) == 0) {
    throw data_error(quoted(images_file) + " holds no image; a run needs images to " +
                     (prefix == "train" ? "label" : "evaluate on") +
                     ", re-download/reinstall the data set");
  }
  if (split.images.size(0) != split.labels.size(0)) {
    throw data_error(quoted(images_file) + " holds " + std::to_string(split.images.size(0)) +
                     " images but " + quoted(labels_file) + " holds " +
                     std::to_string(split.labels.size(0)) +
                     " labels; the files do not belong together, re-download/reinstall them");
  }
  if (split.labels.numel() > 0 && split.labels.max().item<std::int64_t>() >= num_classes) {
    throw data_error(quoted(labels_file) + " has a label of " +
                     std::to_string(split.labels.max().item<std::int64_t>()) +
                     " but the data set has " + std::to_string(num_classes) +
                     " classes; the file is corrupt, "
                     "re-download/reinstall it");
  }
  return split;
}

labelled_images subset_or_all(const labelled_images& split, std::int64_t count, std::uint64_t seed,
                              const char* option) {
  if (count == 0) return split;
  if (count < 0) {
    throw data_error(std::string("data.") + option + " must be 0 (all) or positive, got " +
                     std::to_string(count));
  }
  try {
    return random_subset(split, count, seed);
  } catch (const data_error& error) {
    throw data_error(std::string("data.") + option + ": " + error.what());
  }
}

}  // namespace

void normalise_per_channel(dataset& data) {
  auto as_float = [](const torch::Tensor& images) {
    // Always a copy: normalising in place must not change a caller's tensor.
    return images.scalar_type() == torch::kUInt8
               ? images.to(torch::kFloat32).div_(255.0)
               : images.to(torch::kFloat32, /*non_blocking=*/false, /*copy=*/true);
  };
  if (!data.train.images.defined() || data.train.images.dim() != 4 ||
      data.train.images.size(0) == 0) {
    throw data_error("data set '" + data.name +
                     "': the training split must hold images shaped [N, C, H, W] with N > 0 "
                     "to compute normalisation statistics");
  }
  auto train = as_float(data.train.images);
  const auto [deviation, mean] =
      torch::std_mean(train, {0, 2, 3}, /*unbiased=*/false, /*keepdim=*/true);
  // A constant channel (e.g. an all-black border) would otherwise divide by 0.
  const auto safe_std = torch::where(deviation > 1e-8, deviation, torch::ones_like(deviation));
  data.train.images = train.sub_(mean).div_(safe_std);
  data.channel_mean = mean;
  data.channel_std = safe_std;
  if (data.test.images.defined()) {
    data.test.images = as_float(data.test.images).sub_(mean).div_(safe_std);
  }
}

labelled_images random_subset(const labelled_images& split, std::int64_t count,
                              std::uint64_t seed) {
  if (count <= 0) {
    throw data_error("a subset must hold at least 1 sample, asked for " + std::to_string(count));
  }
  if (count > split.size()) {
    throw data_error("asked for a subset of " + std::to_string(count) +
                     " samples from a split of only " + std::to_string(split.size()) +
                     "; lower the size or use 0 for all");
  }
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  // Sorted so that the subset keeps the split's order, which makes it
  // independent of how randperm happens to order what it picked.
  const auto indices =
      std::get<0>(torch::randperm(split.size(), generator).narrow(0, 0, count).sort());
  return {split.images.index_select(0, indices), split.labels.index_select(0, indices)};
}

std::vector<std::int64_t> long_tail_counts(const std::vector<std::int64_t>& class_counts,
                                           double rho) {
  if (!(rho > 0 && rho <= 1)) {
    throw data_error(fmt::format("data.long_tail must be 0 (off) or in (0, 1], the ratio of the "
                                 "rarest class to the most frequent one (e.g. 0.1 or 0.01); got {}",
                                 rho));
  }
  if (class_counts.empty()) return {};
  // The smallest class bounds the head: every class must be able to give
  // what the profile asks of it, and class 0 keeps exactly n_max.
  const auto n_max = *std::min_element(class_counts.begin(), class_counts.end());
  const auto k = class_counts.size();
  std::vector<std::int64_t> counts;
  counts.reserve(k);
  for (std::size_t c = 0; c < k; ++c) {
    const double exponent = k == 1 ? 0.0 : static_cast<double>(c) / static_cast<double>(k - 1);
    const auto keep = static_cast<std::int64_t>(std::floor(static_cast<double>(n_max) * std::pow(rho, exponent)));
    // At least one sample, so a rare class stays in the pool at all.
    counts.push_back(std::min(n_max, std::max<std::int64_t>(1, keep)));
  }
  return counts;
}

labelled_images long_tail_subset(const labelled_images& split, double rho,
                                 std::int64_t num_classes, std::uint64_t seed) {
  const auto labels = split.labels.to(torch::kCPU, torch::kLong).contiguous();
  const auto present = torch::bincount(labels, {}, num_classes);
  const std::vector<std::int64_t> class_counts(present.data_ptr<std::int64_t>(),
                                               present.data_ptr<std::int64_t>() + num_classes);
  const auto keep = long_tail_counts(class_counts, rho);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<torch::Tensor> kept;
  for (std::int64_t c = 0; c < num_classes; ++c) {
    const auto members = torch::nonzero(labels == c).squeeze(1);
    // One draw per class, in class order, from one generator: reproducible.
    const auto draw = torch::randperm(members.size(0), generator);
    kept.push_back(members.index_select(0, draw.narrow(0, 0, keep[static_cast<std::size_t>(c)])));
  }
  const auto indices = std::get<0>(torch::cat(kept).sort());
  return {split.images.index_select(0, indices), split.labels.index_select(0, indices)};
}

std::filesystem::path resolve_data_folder(const al::data_config& config) {
  return al::data_folder(config);
}

dataset load_mnist_folder(const std::filesystem::path& folder, bool fashion) {
  dataset data;
  if (fashion) {
    data.name = "fashion-mnist";
    data.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  } else {
    data.name = "mnist";
    data.class_names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  }
  const auto num_classes = data.num_classes();
  data.train = read_idx_split(folder, "train", fashion, num_classes);
  data.test = read_idx_split(folder, "t10k", fashion, num_classes);
  if (data.train.images.sizes().slice(1) != data.test.images.sizes().slice(1)) {
    throw data_error("the training and test images in " + quoted(folder) +
                     " differ in size; the files come from different data sets");
  }
  normalise_per_channel(data);
  return data;
}

/// The statistics of the normalisation are those of the whole training split,
/// not of the pool: the loaders normalise before subsetting, so a run's input
/// scaling does not change with pool_size and no statistic comes from the test
/// set.
dataset load_dataset(const al::data_config& config) {
  dataset data;
  if (config.name == "fashion-mnist" || config.name == "mnist") {
    data = load_mnist_folder(resolve_data_folder(config), config.name == "fashion-mnist");
  } else if (config.name == "cifar10") {
    data = load_cifar10_folder(resolve_data_folder(config));
  } else if (config.name == "blobs") {
    blobs_options options;
    options.train_per_class = config.blobs_train_per_class;
    options.test_per_class = config.blobs_test_per_class;
    options.num_classes = config.blobs_classes;
    options.dimensions = config.blobs_dimensions;
    options.seed = config.subset_seed;
    data = make_blobs(options);
  } else {
    throw data_error("unknown data set '" + config.name +
                     "' in data.name; known: " + known_data_sets);
  }
  data.train = subset_or_all(data.train, config.pool_size, config.subset_seed, "pool_size");
  if (config.long_tail != 0) {
    // Its own stream of subset_seed: the cut must not repeat the pool draw.
    data.train = long_tail_subset(data.train, config.long_tail, data.num_classes(),
                                  derive_seed(config.subset_seed, "long_tail"));
  }
  data.test = subset_or_all(data.test, config.test_size, config.subset_seed ^ test_subset_seed_mix,
                            "test_size");
  // Whatever the loader, never an accuracy over no image (0/0).
  for (const auto& [split, what] : {std::pair{&data.train, "training"}, {&data.test, "test"}}) {
    if (!split->images.defined() || !split->labels.defined() || split->size() == 0) {
      throw data_error(fmt::format("the {} split of data set '{}' holds no image; a run needs "
                                   "images to {}: check the data files (config.data.folder) or "
                                   "the sizes asked for",
                                   what, data.name, split == &data.train ? "label" : "evaluate on"));
    }
  }
  return data;
}

}  // namespace al::engine
