// The data layer: IDX and CIFAR-10 readers on tiny files made here, the
// synthetic blobs, normalisation, subsets and the dispatch of load_dataset.

#include <unistd.h>
#include <zlib.h>

#include <al/engine/dataset.hpp>
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "test_files.hpp"

namespace fs = std::filesystem;
using al::engine::data_error;
using namespace al_test;
using Catch::Matchers::Contains;

namespace {

void write_gzip(const fs::path& file, const bytes& content) {
  gzFile handle = gzopen(file.c_str(), "wb");
  REQUIRE(handle != nullptr);
  REQUIRE(gzwrite(handle, content.data(), static_cast<unsigned>(content.size())) ==
          static_cast<int>(content.size()));
  REQUIRE(gzclose(handle) == Z_OK);
}

/// Pixel values that differ at every position, so a transposed or shifted
/// read cannot match.
bytes distinct_pixels(std::size_t count, std::uint8_t offset = 0) {
  bytes out(count);
  for (std::size_t i = 0; i < count; ++i)
    out[i] = static_cast<std::uint8_t>((i * 7 + offset) % 256);
  return out;
}

torch::Tensor as_tensor(const bytes& values) {
  return torch::tensor(std::vector<std::int64_t>(values.begin(), values.end()), torch::kInt64);
}

/// The message of the data_error `action` throws; fails the test otherwise.
template <typename Action>
std::string data_error_message(Action&& action) {
  try {
    action();
  } catch (const data_error& error) {
    return error.what();
  }
  FAIL("expected al::engine::data_error, nothing was thrown");
  return {};
}

/// Writes the four MNIST files; `gzip_train` picks the compressed names for
/// the training files so both spellings are exercised.
void write_mnist_folder(const fs::path& folder, std::uint32_t train_images,
                        std::uint32_t train_labels, bool gzip_train) {
  const std::uint32_t rows = 3;
  const std::uint32_t cols = 2;
  auto write = gzip_train ? write_gzip : write_raw;
  const std::string suffix = gzip_train ? ".gz" : "";
  write(folder / ("train-images-idx3-ubyte" + suffix),
        idx_images_bytes(train_images, rows, cols, distinct_pixels(train_images * rows * cols)));
  bytes labels(train_labels);
  for (std::uint32_t i = 0; i < train_labels; ++i) labels[i] = static_cast<std::uint8_t>(i % 10);
  write(folder / ("train-labels-idx1-ubyte" + suffix), idx_labels_bytes(train_labels, labels));
  write_raw(folder / "t10k-images-idx3-ubyte",
            idx_images_bytes(2, rows, cols, distinct_pixels(2 * rows * cols, 100)));
  write_raw(folder / "t10k-labels-idx1-ubyte", idx_labels_bytes(2, {9, 4}));
}

/// One CIFAR record: label, then red, green and blue planes of 1024 bytes.
bytes cifar_records(const bytes& labels, std::uint8_t seed) {
  bytes out;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    out.push_back(labels[r]);
    const auto pixels = distinct_pixels(3072, static_cast<std::uint8_t>(seed + 31 * r));
    out.insert(out.end(), pixels.begin(), pixels.end());
  }
  return out;
}

/// The uint8 [N, 3, 32, 32] images that `cifar_records` encodes.
torch::Tensor cifar_images(std::size_t count, std::uint8_t seed) {
  std::vector<torch::Tensor> images;
  for (std::size_t r = 0; r < count; ++r) {
    const auto pixels = distinct_pixels(3072, static_cast<std::uint8_t>(seed + 31 * r));
    images.push_back(as_tensor(pixels).to(torch::kUInt8).reshape({1, 3, 32, 32}));
  }
  return torch::cat(images);
}

const std::vector<std::string> cifar_train_files = {"data_batch_1.bin", "data_batch_2.bin",
                                                    "data_batch_3.bin", "data_batch_4.bin",
                                                    "data_batch_5.bin"};

/// Six batch files of three records each; batch b has labels {b, b+1, b+2} mod 10.
void write_cifar_folder(const fs::path& folder) {
  for (std::size_t b = 0; b < cifar_train_files.size(); ++b) {
    const auto first = static_cast<std::uint8_t>(b);
    write_raw(folder / cifar_train_files[b],
              cifar_records({first, static_cast<std::uint8_t>((first + 1) % 10),
                             static_cast<std::uint8_t>((first + 2) % 10)},
                            static_cast<std::uint8_t>(10 * b)));
  }
  write_raw(folder / "test_batch.bin", cifar_records({9, 8, 7}, 200));
}

/// Sets an environment variable for one scope and restores it afterwards.
class scoped_environment {
 public:
  scoped_environment(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~scoped_environment() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  scoped_environment(const scoped_environment&) = delete;
  scoped_environment& operator=(const scoped_environment&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("IDX images are read back exactly from raw and gzip files", "[data][idx]") {
  temp_folder folder;
  const auto pixels = distinct_pixels(3 * 2 * 4);
  const auto content = idx_images_bytes(3, 2, 4, pixels);
  write_raw(folder / "images-raw", content);
  write_gzip(folder / "images.gz", content);
  const auto expected = as_tensor(pixels).reshape({3, 1, 2, 4});

  for (const auto* name : {"images-raw", "images.gz"}) {
    INFO(name);
    const auto images = al::engine::read_idx_images(folder / name);
    CHECK(images.scalar_type() == torch::kUInt8);
    CHECK(images.sizes() == torch::IntArrayRef({3, 1, 2, 4}));
    CHECK(torch::equal(images.to(torch::kInt64), expected));
  }
}

TEST_CASE("IDX labels are read back as int64 from raw and gzip files", "[data][idx]") {
  temp_folder folder;
  const bytes labels = {7, 0, 9, 3, 255};
  write_raw(folder / "labels-raw", idx_labels_bytes(5, labels));
  write_gzip(folder / "labels.gz", idx_labels_bytes(5, labels));
  for (const auto* name : {"labels-raw", "labels.gz"}) {
    INFO(name);
    const auto read = al::engine::read_idx_labels(folder / name);
    CHECK(read.scalar_type() == torch::kInt64);
    CHECK(torch::equal(read, as_tensor(labels)));
  }
}

TEST_CASE("A missing IDX file names the file and how to provide it", "[data][idx][errors]") {
  temp_folder folder;
  const auto missing = folder / "train-images-idx3-ubyte.gz";
  const auto message = data_error_message([&] { (void)al::engine::read_idx_images(missing); });
  CHECK_THAT(message, Contains(missing.string()));
  CHECK_THAT(message, Contains("not found"));
  CHECK_THAT(message, Contains("ALPIPE_DATA"));
  CHECK_THAT(message, Contains("dataset-fashion-mnist"));
}

TEST_CASE("An IDX file with the wrong magic says which magic it expected and found",
          "[data][idx][errors]") {
  temp_folder folder;
  write_gzip(folder / "labels.gz", idx_labels_bytes(2, {1, 2}));
  write_raw(folder / "images", idx_images_bytes(1, 1, 1, {5}));

  const auto as_images =
      data_error_message([&] { (void)al::engine::read_idx_images(folder / "labels.gz"); });
  CHECK_THAT(as_images, Contains("labels.gz"));
  CHECK_THAT(as_images, Contains("expected IDX magic 0x00000803"));
  CHECK_THAT(as_images, Contains("found 0x00000801"));
  CHECK_THAT(as_images, Contains("is this an IDX image file?"));

  const auto as_labels =
      data_error_message([&] { (void)al::engine::read_idx_labels(folder / "images"); });
  CHECK_THAT(as_labels, Contains("expected IDX magic 0x00000801"));
  CHECK_THAT(as_labels, Contains("found 0x00000803"));

  write_raw(folder / "text", {'h', 'e', 'l', 'l', 'o', '!', '!', '!'});
  const auto as_text =
      data_error_message([&] { (void)al::engine::read_idx_images(folder / "text"); });
  CHECK_THAT(as_text, Contains("found 0x68656c6c"));
}

TEST_CASE("A truncated IDX file says how many bytes it expected and found", "[data][idx][errors]") {
  temp_folder folder;
  // The header promises 3 images of 2x4 = 24 bytes; only 20 follow.
  const auto content = idx_images_bytes(3, 2, 4, distinct_pixels(20));
  write_raw(folder / "short-raw", content);
  write_gzip(folder / "short.gz", content);
  for (const auto* name : {"short-raw", "short.gz"}) {
    INFO(name);
    const auto message =
        data_error_message([&] { (void)al::engine::read_idx_images(folder / name); });
    CHECK_THAT(message, Contains(name));
    CHECK_THAT(message, Contains("expected 24 bytes of pixel data, found 20"));
    CHECK_THAT(message, Contains("truncated"));
  }

  write_raw(folder / "short-labels", idx_labels_bytes(10, {1, 2, 3}));
  const auto labels_message =
      data_error_message([&] { (void)al::engine::read_idx_labels(folder / "short-labels"); });
  CHECK_THAT(labels_message, Contains("expected 10 bytes of label data, found 3"));

  write_raw(folder / "header-only", {0, 0, 8, 3, 0, 0});
  const auto header_message =
      data_error_message([&] { (void)al::engine::read_idx_images(folder / "header-only"); });
  CHECK_THAT(header_message, Contains("header-only"));
}

TEST_CASE("A gzip IDX file cut short is reported, not read as zeros", "[data][idx][errors]") {
  temp_folder folder;
  const auto pixels = distinct_pixels(50 * 28 * 28);
  write_gzip(folder / "whole.gz", idx_images_bytes(50, 28, 28, pixels));
  std::ifstream whole(folder / "whole.gz", std::ios::binary);
  bytes compressed((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
  compressed.resize(compressed.size() / 2);
  write_raw(folder / "cut.gz", compressed);

  const auto message =
      data_error_message([&] { (void)al::engine::read_idx_images(folder / "cut.gz"); });
  CHECK_THAT(message, Contains("cut.gz"));
}

TEST_CASE("load_mnist_folder reads the four files, compressed or not", "[data][mnist]") {
  temp_folder folder;
  write_mnist_folder(folder.path(), 4, 4, /*gzip_train=*/true);

  const auto fashion = al::engine::load_mnist_folder(folder.path(), true);
  CHECK(fashion.name == "fashion-mnist");
  CHECK(fashion.train.images.sizes() == torch::IntArrayRef({4, 1, 3, 2}));
  CHECK(fashion.test.images.sizes() == torch::IntArrayRef({2, 1, 3, 2}));
  CHECK(fashion.train.images.scalar_type() == torch::kFloat32);
  CHECK(torch::equal(fashion.train.labels, torch::tensor({0, 1, 2, 3}, torch::kInt64)));
  CHECK(torch::equal(fashion.test.labels, torch::tensor({9, 4}, torch::kInt64)));
  REQUIRE(fashion.num_classes() == 10);
  CHECK(fashion.class_names[0] == "T-shirt/top");
  CHECK(fashion.class_names[9] == "Ankle boot");

  const auto digits = al::engine::load_mnist_folder(folder.path(), false);
  CHECK(digits.name == "mnist");
  CHECK(digits.class_names[3] == "3");
}

TEST_CASE("load_mnist_folder rejects image and label files of different lengths",
          "[data][mnist][errors]") {
  temp_folder folder;
  write_mnist_folder(folder.path(), 5, 4, /*gzip_train=*/false);
  const auto message =
      data_error_message([&] { (void)al::engine::load_mnist_folder(folder.path(), true); });
  CHECK_THAT(message, Contains("train-images-idx3-ubyte"));
  CHECK_THAT(message, Contains("train-labels-idx1-ubyte"));
  CHECK_THAT(message, Contains("5 images"));
  CHECK_THAT(message, Contains("4 labels"));
}

TEST_CASE("load_mnist_folder names the missing file and ALPIPE_DATA", "[data][mnist][errors]") {
  temp_folder folder;
  write_mnist_folder(folder.path(), 4, 4, /*gzip_train=*/false);
  fs::remove(folder / "t10k-labels-idx1-ubyte");
  const auto message =
      data_error_message([&] { (void)al::engine::load_mnist_folder(folder.path(), true); });
  CHECK_THAT(message, Contains("t10k-labels-idx1-ubyte"));
  CHECK_THAT(message, Contains("ALPIPE_DATA"));
}

TEST_CASE("An empty test split is refused, naming the file, never evaluated as 0/0",
          "[data][mnist][errors]") {
  temp_folder folder;
  write_mnist_folder(folder.path(), 4, 4, /*gzip_train=*/false);
  write_raw(folder / "t10k-images-idx3-ubyte", idx_images_bytes(0, 3, 2, {}));
  write_raw(folder / "t10k-labels-idx1-ubyte", idx_labels_bytes(0, {}));
  const auto message =
      data_error_message([&] { (void)al::engine::load_mnist_folder(folder.path(), true); });
  CHECK_THAT(message, Contains("t10k-images-idx3-ubyte' holds no image"));
  CHECK_THAT(message, Contains("evaluate on"));
}

TEST_CASE("load_dataset refuses made data with no test image, naming the setting",
          "[data][load][errors]") {
  al::data_config config;
  config.name = "blobs";
  config.blobs_test_per_class = 0;
  CHECK_THROWS_WITH(al::engine::load_dataset(config), Contains("test_per_class must be at least 1"));
}

TEST_CASE("An IDX header with images of no rows or columns names the file",
          "[data][idx][errors]") {
  temp_folder folder;
  write_mnist_folder(folder.path(), 4, 4, /*gzip_train=*/false);
  write_raw(folder / "t10k-images-idx3-ubyte", idx_images_bytes(2, 0, 2, {}));
  const auto message =
      data_error_message([&] { (void)al::engine::load_mnist_folder(folder.path(), true); });
  CHECK_THAT(message, Contains("t10k-images-idx3-ubyte"));
  CHECK_THAT(message, Contains("0 rows and 2 columns"));
}

TEST_CASE("An IDX file with bytes beyond what its header announces is refused",
          "[data][idx][errors]") {
  temp_folder folder;
  write_mnist_folder(folder.path(), 4, 4, /*gzip_train=*/false);
  auto images = idx_images_bytes(2, 3, 2, distinct_pixels(2 * 3 * 2, 100));
  images.resize(images.size() + 5000, 7);
  write_raw(folder / "t10k-images-idx3-ubyte", images);
  const auto message =
      data_error_message([&] { (void)al::engine::load_mnist_folder(folder.path(), true); });
  CHECK_THAT(message, Contains("t10k-images-idx3-ubyte"));
  CHECK_THAT(message, Contains("5000 bytes follow the pixel data"));
  auto labels = idx_labels_bytes(2, {9, 4});
  labels.push_back(1);
  write_raw(folder / "t10k-images-idx3-ubyte", idx_images_bytes(2, 3, 2, distinct_pixels(12, 100)));
  write_raw(folder / "t10k-labels-idx1-ubyte", labels);
  CHECK_THAT(data_error_message([&] { (void)al::engine::load_mnist_folder(folder.path(), true); }),
             Contains("1 byte follows the label data"));
}

TEST_CASE("A folder where an IDX file belongs is named as a folder, not as missing",
          "[data][mnist][errors]") {
  temp_folder folder;
  write_mnist_folder(folder.path(), 4, 4, /*gzip_train=*/false);
  fs::remove(folder / "t10k-labels-idx1-ubyte");
  fs::create_directories(folder / "t10k-labels-idx1-ubyte");
  const auto message =
      data_error_message([&] { (void)al::engine::load_mnist_folder(folder.path(), true); });
  CHECK_THAT(message, Contains("t10k-labels-idx1-ubyte' is a folder, not the IDX file"));
}

TEST_CASE("A CIFAR-10 folder loads with its shapes, labels and pixel layout", "[data][cifar]") {
  temp_folder folder;
  write_cifar_folder(folder.path());
  const auto data = al::engine::load_cifar10_folder(folder.path());

  CHECK(data.name == "cifar10");
  CHECK(data.train.images.sizes() == torch::IntArrayRef({15, 3, 32, 32}));
  CHECK(data.test.images.sizes() == torch::IntArrayRef({3, 3, 32, 32}));
  CHECK(torch::equal(data.train.labels,
                     torch::tensor({0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6}, torch::kInt64)));
  CHECK(torch::equal(data.test.labels, torch::tensor({9, 8, 7}, torch::kInt64)));
  REQUIRE(data.num_classes() == 10);
  CHECK(data.class_names[0] == "airplane");
  CHECK(data.class_names[9] == "truck");

  // Normalising the expected raw pixels must give exactly what was loaded:
  // this checks the record layout (label first, planes in order).
  std::vector<torch::Tensor> train_parts;
  for (std::size_t b = 0; b < cifar_train_files.size(); ++b) {
    train_parts.push_back(cifar_images(3, static_cast<std::uint8_t>(10 * b)));
  }
  al::engine::dataset expected;
  expected.train = {torch::cat(train_parts), data.train.labels};
  expected.test = {cifar_images(3, 200), data.test.labels};
  al::engine::normalise_per_channel(expected);
  CHECK(torch::allclose(data.train.images, expected.train.images));
  CHECK(torch::allclose(data.test.images, expected.test.images));
}

TEST_CASE("CIFAR-10 class names come from batches.meta.txt when present", "[data][cifar]") {
  temp_folder folder;
  write_cifar_folder(folder.path());
  std::ofstream(folder / "batches.meta.txt") << "a\nb\nc\nd\ne\nf\ng\nh\ni\nlast one\n\n\n";
  const auto data = al::engine::load_cifar10_folder(folder.path());
  REQUIRE(data.num_classes() == 10);
  CHECK(data.class_names[0] == "a");
  CHECK(data.class_names[9] == "last one");
}

TEST_CASE("A truncated or missing CIFAR-10 file is reported by name", "[data][cifar][errors]") {
  temp_folder folder;
  write_cifar_folder(folder.path());
  fs::resize_file(folder / "data_batch_3.bin", 3 * 3073 - 5);
  const auto truncated =
      data_error_message([&] { (void)al::engine::load_cifar10_folder(folder.path()); });
  CHECK_THAT(truncated, Contains("data_batch_3.bin"));
  CHECK_THAT(truncated, Contains("3073"));
  CHECK_THAT(truncated, Contains(std::to_string(3 * 3073 - 5)));
  CHECK_THAT(truncated, Contains("truncated"));

  write_cifar_folder(folder.path());
  fs::remove(folder / "test_batch.bin");
  const auto missing =
      data_error_message([&] { (void)al::engine::load_cifar10_folder(folder.path()); });
  CHECK_THAT(missing, Contains("test_batch.bin"));
  CHECK_THAT(missing, Contains("not found"));
  CHECK_THAT(missing, Contains("ALPIPE_DATA"));
}

TEST_CASE("Blobs are the same under a seed and different under another", "[data][blobs]") {
  al::engine::blobs_options options;
  options.train_per_class = 50;
  options.test_per_class = 20;
  options.num_classes = 3;
  options.dimensions = 5;
  options.seed = 7;
  const auto first = al::engine::make_blobs(options);
  const auto again = al::engine::make_blobs(options);
  options.seed = 8;
  const auto other = al::engine::make_blobs(options);

  CHECK(first.train.images.sizes() == torch::IntArrayRef({150, 1, 1, 5}));
  CHECK(first.test.images.sizes() == torch::IntArrayRef({60, 1, 1, 5}));
  CHECK(first.train.images.scalar_type() == torch::kFloat32);
  CHECK(first.train.labels.scalar_type() == torch::kInt64);
  CHECK(first.class_names == std::vector<std::string>{"blob 0", "blob 1", "blob 2"});
  CHECK(torch::equal(torch::bincount(first.train.labels),
                     torch::tensor({50, 50, 50}, torch::kInt64)));
  CHECK(
      torch::equal(torch::bincount(first.test.labels), torch::tensor({20, 20, 20}, torch::kInt64)));

  CHECK(torch::equal(first.train.images, again.train.images));
  CHECK(torch::equal(first.train.labels, again.train.labels));
  CHECK(torch::equal(first.test.images, again.test.images));
  CHECK_FALSE(torch::equal(first.train.images, other.train.images));
  CHECK_FALSE(torch::equal(first.train.labels, other.train.labels));
}

TEST_CASE("Blobs are shuffled and separable by their class means", "[data][blobs]") {
  al::engine::blobs_options options;
  options.seed = 3;
  const auto data = al::engine::make_blobs(options);

  // Drawn class by class and never shuffled, the first 20 labels would all be 0.
  const auto head = data.train.labels.narrow(0, 0, 20);
  CHECK(std::get<0>(torch::_unique(head)).numel() > 1);

  const auto train = data.train.images.flatten(1);
  std::vector<torch::Tensor> means;
  for (std::int64_t c = 0; c < data.num_classes(); ++c) {
    means.push_back(train.index_select(0, (data.train.labels == c).nonzero().squeeze(1)).mean(0));
  }
  const auto distances = torch::cdist(data.test.images.flatten(1), torch::stack(means));
  const auto predicted = distances.argmin(1);
  const double accuracy = (predicted == data.test.labels).to(torch::kDouble).mean().item<double>();
  CHECK(accuracy > 0.95);
}

TEST_CASE("Normalisation gives the training split zero mean and unit deviation per channel",
          "[data][normalise]") {
  al::engine::dataset data;
  data.name = "two channels";
  auto raw = torch::zeros({4, 3, 2, 2}, torch::kUInt8);
  raw.select(1, 0).copy_(torch::arange(16, torch::kUInt8).reshape({4, 2, 2}));
  raw.select(1, 1).copy_(torch::arange(16, torch::kUInt8).reshape({4, 2, 2}) * 10 + 50);
  raw.select(1, 2).fill_(77);  // constant: its deviation is zero
  data.train = {raw, torch::zeros({4}, torch::kInt64)};
  data.test = {torch::full({1, 3, 2, 2}, 255, torch::kUInt8), torch::zeros({1}, torch::kInt64)};

  al::engine::normalise_per_channel(data);

  const auto& images = data.train.images;
  REQUIRE(images.scalar_type() == torch::kFloat32);
  const auto mean = images.mean({0, 2, 3});
  const auto deviation = images.std({0, 2, 3}, /*unbiased=*/false);
  CHECK(mean[0].item<double>() == Approx(0.0).margin(1e-5));
  CHECK(mean[1].item<double>() == Approx(0.0).margin(1e-5));
  CHECK(deviation[0].item<double>() == Approx(1.0).epsilon(1e-4));
  CHECK(deviation[1].item<double>() == Approx(1.0).epsilon(1e-4));
  CHECK(torch::isfinite(images).all().item<bool>());
  CHECK(images.select(1, 2).abs().max().item<double>() == Approx(0.0).margin(1e-6));

  // The test split uses the training statistics: channel 0 of the training
  // split is 0..15 (/255), mean 7.5/255, deviation sqrt((16^2-1)/12)/255.
  const double expected_test = (255.0 - 7.5) / std::sqrt((16.0 * 16.0 - 1.0) / 12.0);
  CHECK(data.test.images[0][0][0][0].item<double>() == Approx(expected_test).epsilon(1e-4));
}

TEST_CASE("Normalisation leaves the caller's float tensors unchanged", "[data][normalise]") {
  const auto original = torch::arange(8, torch::kFloat32).reshape({4, 1, 1, 2});
  al::engine::dataset data;
  data.train = {original, torch::zeros({4}, torch::kInt64)};
  data.test = {original, torch::zeros({4}, torch::kInt64)};
  al::engine::normalise_per_channel(data);
  CHECK(torch::equal(original, torch::arange(8, torch::kFloat32).reshape({4, 1, 1, 2})));
  CHECK(data.test.images[3][0][0][1].item<double>() ==
        Approx((7.0 - 3.5) / std::sqrt((8.0 * 8.0 - 1.0) / 12.0)).epsilon(1e-5));
}

TEST_CASE("random_subset is reproducible, sorted, distinct and keeps pairs together",
          "[data][subset]") {
  const std::int64_t size = 100;
  al::engine::labelled_images split{torch::arange(size, torch::kFloat32).reshape({size, 1, 1, 1}),
                                    torch::arange(size, torch::kInt64)};

  const auto subset = al::engine::random_subset(split, 30, 11);
  const auto again = al::engine::random_subset(split, 30, 11);
  const auto other = al::engine::random_subset(split, 30, 12);

  REQUIRE(subset.size() == 30);
  CHECK(subset.images.sizes() == torch::IntArrayRef({30, 1, 1, 1}));
  CHECK(torch::equal(subset.labels, again.labels));
  CHECK_FALSE(torch::equal(subset.labels, other.labels));
  CHECK(torch::equal(subset.labels, std::get<0>(subset.labels.sort())));
  CHECK(std::get<0>(torch::_unique(subset.labels)).numel() == 30);
  CHECK(torch::equal(subset.images.flatten().to(torch::kInt64), subset.labels));
  // A subset that is merely the first 30 samples is not random.
  CHECK(subset.labels[29].item<std::int64_t>() > 29);

  const auto all = al::engine::random_subset(split, size, 5);
  CHECK(torch::equal(all.labels, split.labels));
}

TEST_CASE("random_subset rejects a size larger than the split or not positive",
          "[data][subset][errors]") {
  al::engine::labelled_images split{torch::zeros({10, 1, 1, 1}), torch::zeros({10}, torch::kInt64)};
  const auto too_large = data_error_message([&] { (void)al::engine::random_subset(split, 11, 0); });
  CHECK_THAT(too_large, Contains("11"));
  CHECK_THAT(too_large, Contains("10"));
  CHECK_THROWS_AS(al::engine::random_subset(split, 0, 0), data_error);
  CHECK_THROWS_AS(al::engine::random_subset(split, -3, 0), data_error);
}

TEST_CASE("load_dataset draws the pool and test subsets of blobs reproducibly", "[data][load]") {
  al::data_config config;
  config.name = "blobs";
  config.blobs_train_per_class = 30;
  config.blobs_test_per_class = 10;
  config.blobs_classes = 3;
  config.blobs_dimensions = 4;
  config.pool_size = 40;
  config.test_size = 12;
  config.subset_seed = 5;

  const auto data = al::engine::load_dataset(config);
  const auto again = al::engine::load_dataset(config);
  CHECK(data.name == "blobs");
  CHECK(data.num_classes() == 3);
  CHECK(data.train.images.sizes() == torch::IntArrayRef({40, 1, 1, 4}));
  CHECK(data.test.images.sizes() == torch::IntArrayRef({12, 1, 1, 4}));
  CHECK(torch::equal(data.train.images, again.train.images));
  CHECK(torch::equal(data.test.labels, again.test.labels));

  config.pool_size = 0;
  config.test_size = 0;
  const auto whole = al::engine::load_dataset(config);
  CHECK(whole.train.size() == 90);
  CHECK(whole.test.size() == 30);

  config.pool_size = 91;
  const auto message = data_error_message([&] { (void)al::engine::load_dataset(config); });
  CHECK_THAT(message, Contains("pool_size"));
  CHECK_THAT(message, Contains("91"));
  CHECK_THAT(message, Contains("90"));
}

TEST_CASE("load_dataset lists the known data sets for an unknown name", "[data][load][errors]") {
  al::data_config config;
  config.name = "imagenet";
  const auto message = data_error_message([&] { (void)al::engine::load_dataset(config); });
  CHECK_THAT(message, Contains("imagenet"));
  for (const auto* known : {"fashion-mnist", "mnist", "cifar10", "blobs"})
    CHECK_THAT(message, Contains(known));
}

TEST_CASE("The data folder is the config's, then ALPIPE_DATA's, then Debian's", "[data][load]") {
  al::data_config config;
  {
    scoped_environment unset("ALPIPE_DATA", nullptr);
    CHECK(al::engine::resolve_data_folder(config) == fs::path("/usr/share/datasets/fashion-mnist"));
  }
  {
    scoped_environment set("ALPIPE_DATA", "/somewhere/else");
    CHECK(al::engine::resolve_data_folder(config) == fs::path("/somewhere/else"));
    config.folder = "/from/config";
    CHECK(al::engine::resolve_data_folder(config) == fs::path("/from/config"));
  }
}

TEST_CASE("load_dataset reads the installed Fashion-MNIST", "[data][load][fashion-mnist]") {
  const fs::path folder = "/usr/share/datasets/fashion-mnist";
  if (!fs::is_directory(folder)) {
    WARN("Fashion-MNIST is not installed at " << folder << "; skipped (tools/setup installs it)");
    return;
  }
  al::data_config config;
  config.folder = folder;
  const auto data = al::engine::load_dataset(config);

  CHECK(data.name == "fashion-mnist");
  CHECK(data.train.images.sizes() == torch::IntArrayRef({60000, 1, 28, 28}));
  CHECK(data.test.images.sizes() == torch::IntArrayRef({10000, 1, 28, 28}));
  CHECK(data.train.labels.size(0) == 60000);
  REQUIRE(data.num_classes() == 10);
  CHECK(data.class_names[0] == "T-shirt/top");
  CHECK(data.class_names[9] == "Ankle boot");
  // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
  CHECK(torch::equal(torch::bincount(data.train.labels), torch::full({10}, 6000, torch::kInt64)));
  CHECK(torch::equal(torch::bincount(data.test.labels), torch::full({10}, 1000, torch::kInt64)));
  CHECK(data.train.images.mean().item<double>() == Approx(0.0).margin(1e-3));
  CHECK(data.train.images.std(/*unbiased=*/false).item<double>() == Approx(1.0).epsilon(1e-3));
  // Its first training image is an ankle boot (label 9).
  CHECK(data.train.labels[0].item<std::int64_t>() == 9);
}
