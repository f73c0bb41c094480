// Synthetic Gaussian blobs: a data set that needs no files, for tests and
// examples. Every draw comes from one generator seeded with options.seed, in
// a fixed order, so the same options always give the same tensors.

#include <ATen/CPUGeneratorImpl.h>

#include <al/engine/dataset.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace al::engine {
namespace {

void require_positive(std::int64_t value, const char* option) {
  if (value < 1) {
    throw data_error(std::string("blobs: ") + option + " must be at least 1, got " +
                     std::to_string(value));
  }
}

labelled_images draw_split(const torch::Tensor& centres, std::int64_t per_class, double spread,
                           at::Generator& generator) {
  const auto num_classes = centres.size(0);
  const auto dimensions = centres.size(1);
  const auto noise = torch::randn({num_classes, per_class, dimensions}, generator, torch::kFloat32);
  const auto points = centres.unsqueeze(1) + spread * noise;
  const auto labels = torch::arange(num_classes, torch::kInt64)
                          .unsqueeze(1)
                          .expand({num_classes, per_class})
                          .reshape({-1});
  return {points.reshape({num_classes * per_class, 1, 1, dimensions}), labels};
}

}  // namespace

dataset make_blobs(const blobs_options& options) {
  require_positive(options.num_classes, "num_classes");
  require_positive(options.dimensions, "dimensions");
  require_positive(options.train_per_class, "train_per_class");
  require_positive(options.test_per_class, "test_per_class");
  if (!(options.spread > 0.0)) {
    throw data_error("blobs: spread must be positive, got " + std::to_string(options.spread));
  }

  auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  const auto centres = options.separation * torch::randn({options.num_classes, options.dimensions},
                                                         generator, torch::kFloat32);

  dataset data;
  data.name = "blobs";
  data.train = draw_split(centres, options.train_per_class, options.spread, generator);
  data.test = draw_split(centres, options.test_per_class, options.spread, generator);

  // Drawn class by class, the training split would be sorted by label, and a
  // learner that takes its first samples would see a single class.
  const auto order = torch::randperm(data.train.size(), generator);
  data.train = {data.train.images.index_select(0, order), data.train.labels.index_select(0, order)};

  data.class_names.reserve(static_cast<std::size_t>(options.num_classes));
  for (std::int64_t c = 0; c < options.num_classes; ++c) {
    data.class_names.push_back("blob " + std::to_string(c));
  }
  normalise_per_channel(data);
  return data;
}

}  // namespace al::engine
