// CIFAR-10 in its binary form: each record is one label byte followed by a
// 32x32 image stored as three 1024-byte planes (red, green, blue).

#include "quoted_path.hpp"

#include <al/engine/dataset.hpp>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace al::engine {
namespace {

constexpr std::int64_t cifar_channels = 3;
constexpr std::int64_t cifar_side = 32;
constexpr std::int64_t cifar_image_bytes = cifar_channels * cifar_side * cifar_side;
constexpr std::int64_t cifar_record_bytes = 1 + cifar_image_bytes;
constexpr std::int64_t cifar_classes = 10;

using detail::quoted;

std::string missing_file_message(const std::filesystem::path& file) {
  return quoted(file) +
         " not found; download the binary version of CIFAR-10 (cifar-10-binary.tar.gz), "
         "unpack it and set ALPIPE_DATA / config.data.folder to the folder holding "
         "data_batch_1.bin ... data_batch_5.bin and test_batch.bin";
}

/// The records of one batch file as uint8 [records, 3073].
torch::Tensor read_records(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) throw data_error(missing_file_message(file));
  const auto size = static_cast<std::int64_t>(std::filesystem::file_size(file, error));
  if (error) throw data_error("cannot read the size of " + quoted(file) + ": " + error.message());
  if (size == 0 || size % cifar_record_bytes != 0) {
    throw data_error(quoted(file) + ": expected a non-zero multiple of " +
                     std::to_string(cifar_record_bytes) +
                     " bytes (1 label byte + 3072 pixel bytes per record), found " +
                     std::to_string(size) + "; file truncated, re-download/reinstall it");
  }
  auto records = torch::empty({size / cifar_record_bytes, cifar_record_bytes}, torch::kUInt8);
  std::ifstream stream(file, std::ios::binary);
  stream.read(reinterpret_cast<char*>(records.data_ptr<std::uint8_t>()), size);
  if (stream.gcount() != size) {
    throw data_error("cannot read " + quoted(file) + ": expected " + std::to_string(size) +
                     " bytes, read " + std::to_string(stream.gcount()) +
                     "; check its permissions or re-download it");
  }
  return records;
}

labelled_images read_batches(const std::filesystem::path& folder,
                             const std::vector<std::string>& file_names) {
  std::vector<torch::Tensor> batches;
  batches.reserve(file_names.size());
  for (const auto& name : file_names) batches.push_back(read_records(folder / name));
  const auto records = torch::cat(batches);
  const auto labels = records.select(1, 0).to(torch::kInt64);
  const auto out_of_range = (labels >= cifar_classes).nonzero();
  if (out_of_range.numel() > 0) {
    throw data_error("CIFAR-10 batch in " + quoted(folder) + " has a label of " +
                     std::to_string(labels[out_of_range[0][0]].item<std::int64_t>()) +
                     " (CIFAR-10 has 10 classes); is this CIFAR-100 or a corrupt file?");
  }
  auto images = records.narrow(1, 1, cifar_image_bytes)
                    .reshape({records.size(0), cifar_channels, cifar_side, cifar_side});
  return {images, labels};
}

std::vector<std::string> read_class_names(const std::filesystem::path& folder) {
  const auto meta = folder / "batches.meta.txt";
  std::ifstream stream(meta);
  if (!stream) {
    return {"airplane", "automobile", "bird",  "cat",  "deer",
            "dog",      "frog",       "horse", "ship", "truck"};
  }
  std::vector<std::string> names;
  for (std::string line; std::getline(stream, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;  // the official file ends in blank lines
    const auto last = line.find_last_not_of(" \t\r");
    names.push_back(line.substr(first, last - first + 1));
  }
  if (static_cast<std::int64_t>(names.size()) != cifar_classes) {
    throw data_error(quoted(meta) + ": expected " + std::to_string(cifar_classes) +
                     " class names (one a line), found " + std::to_string(names.size()) +
                     "; fix or delete the file to use the standard names");
  }
  return names;
}

}  // namespace

dataset load_cifar10_folder(const std::filesystem::path& folder) {
  dataset data;
  data.name = "cifar10";
  data.train = read_batches(folder, {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                     "data_batch_4.bin", "data_batch_5.bin"});
  data.test = read_batches(folder, {"test_batch.bin"});
  data.class_names = read_class_names(folder);
  normalise_per_channel(data);
  return data;
}

}  // namespace al::engine
