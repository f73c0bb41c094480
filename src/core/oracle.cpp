// The three oracles behind one answer().

#include "oracle.hpp"

#include <al/oracle/label_import.hpp>
#include <al/oracle/query_export.hpp>
#include <al/seed.hpp>

#include <fmt/format.h>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/transform.hpp>

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

namespace al::engine {

oracle::oracle(const oracle_config& settings, const dataset& data, std::uint64_t seed,
               std::filesystem::path run_folder)
    : settings_(settings), data_(data), seed_(seed), run_folder_(std::move(run_folder)) {
  if (settings_.kind == oracle_kind::noisy && !(settings_.flip_rate >= 0 && settings_.flip_rate < 1)) {
    throw std::invalid_argument(fmt::format(
        "a noisy oracle's flip rate must lie in [0, 1), got {}; e.g. al::noisy_oracle(0.1)",
        settings_.flip_rate));
  }
}

std::vector<std::int64_t> oracle::true_classes(const std::vector<std::int64_t>& picks) const {
  const auto classes =
      data_.train.labels.index_select(0, torch::tensor(picks, torch::kLong)).to(torch::kCPU).contiguous();
  return {classes.data_ptr<std::int64_t>(), classes.data_ptr<std::int64_t>() + classes.numel()};
}

std::vector<std::int64_t> oracle::flip(std::vector<std::int64_t> classes, int cycle) const {
  const auto k = data_.num_classes();
  if (k < 2) return classes;
  // One stream per cycle: the same seed flips the same answers, resumed or not.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(
      derive_seed(seed_, "oracle", static_cast<std::uint64_t>(cycle)));
  const auto n = static_cast<std::int64_t>(classes.size());
  const auto coin = torch::rand({n}, generator, torch::kFloat64);
  // Another class, uniformly: draw from K − 1 and skip the true one.
  const auto other = torch::randint(k - 1, {n}, generator, torch::kLong);
  for (std::int64_t i = 0; i < n; ++i) {
    if (coin[i].item<double>() < settings_.flip_rate) {
      const auto drawn = other[i].item<std::int64_t>();
      auto& c = classes[static_cast<std::size_t>(i)];
      c = drawn >= c ? drawn + 1 : drawn;
    }
  }
  return classes;
}

std::optional<std::vector<std::int64_t>> oracle::answer(const std::vector<std::int64_t>& picks,
                                                        int cycle) {
  switch (settings_.kind) {
    case oracle_kind::ground_truth: return true_classes(picks);
    case oracle_kind::noisy: return flip(true_classes(picks), cycle);
    case oracle_kind::human: return ask_person(picks, cycle);
  }
  throw std::logic_error("unknown oracle kind");
}

namespace {

/// The pool images of `picks` as 8-bit pixels, height × width × channels.
std::vector<std::uint8_t> pixels_of(const dataset& data, const std::vector<std::int64_t>& picks) {
  auto images = data.train.images.index_select(0, torch::tensor(picks, torch::kLong)).to(torch::kCPU);
  if (data.channel_mean.defined() && data.channel_std.defined()) {
    images = images * data.channel_std.to(torch::kCPU) + data.channel_mean.to(torch::kCPU);
  }
  const auto bytes = (images.clamp(0, 1) * 255).round().to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous();
  return {bytes.data_ptr<std::uint8_t>(), bytes.data_ptr<std::uint8_t>() + bytes.numel()};
}

}  // namespace

std::optional<std::vector<std::int64_t>> oracle::ask_person(const std::vector<std::int64_t>& picks,
                                                            int cycle) {
  label_request request;
  request.cycle = cycle;
  request.query_indices = picks;
  request.pool_size = data_.train.size();
  request.class_count = static_cast<int>(data_.num_classes());
  request.class_names = data_.class_names;
  if (const auto answers = imported_labels(run_folder_, request)) {
    return *answers |
           ranges::views::transform([](const labelled_sample& a) { return std::int64_t{a.label}; }) |
           ranges::to<std::vector>();
  }
  const auto folder = query_folder(run_folder_, cycle);
  // Written by an earlier call: the person may be halfway through it.
  if (std::filesystem::exists(folder / "query.csv") && std::filesystem::exists(folder / "request.json")) {
    const auto written = read_label_request(folder);
    if (written.query_indices == picks) {
      waiting_for_ = folder / "query.csv";
      return std::nullopt;
    }
  }
  const auto& images = data_.train.images;
  query_images query;
  query.cycle = cycle;
  query.indices = picks;
  query.pixels = pixels_of(data_, picks);
  query.channels = static_cast<int>(images.size(1));
  query.height = static_cast<int>(images.size(2));
  query.width = static_cast<int>(images.size(3));
  query.class_count = request.class_count;
  query.class_names = data_.class_names;
  write_label_request(folder, request);
  waiting_for_ = write_query_folder(folder, query);
  return std::nullopt;
}

}  // namespace al::engine
