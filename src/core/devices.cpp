// Device names, a comparison's workers spread over the GPUs, and seeded
// generators on any device.

#include <al/engine/devices.hpp>

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>

#include <charconv>
#include <mutex>
#include <stdexcept>

namespace al::engine {

namespace {

/// The N of "cuda:N", or an error naming the name.
int cuda_index(std::string_view name) {
  const auto digits = name.substr(5);
  int index = -1;
  const auto [end, problem] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (digits.empty() || problem != std::errc() || end != digits.data() + digits.size() || index < 0) {
    throw std::invalid_argument(fmt::format(
        "device \"{}\": after \"cuda:\" comes the device's number, e.g. cuda:0 or cuda:1", name));
  }
  return index;
}

}  // namespace

torch::Device resolve_device(std::string_view name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "auto") {
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  }
  if (name == "cuda" || name.starts_with("cuda:")) {
    const int index = name == "cuda" ? 0 : cuda_index(name);
    const auto devices = static_cast<int>(torch::cuda::device_count());
    if (devices == 0) {
      throw std::invalid_argument(fmt::format(
          "device \"{}\" was asked for but this LibTorch sees no CUDA device; use \"cpu\" or "
          "\"auto\", or build against a CUDA LibTorch (CMAKE_PREFIX_PATH)",
          name));
    }
    if (index >= devices) {
      throw std::invalid_argument(fmt::format(
          "device \"{}\" was asked for but this machine shows {} CUDA device{}, cuda:0 to "
          "cuda:{}; use one of those (CUDA_VISIBLE_DEVICES decides which are shown)",
          name, devices, devices == 1 ? "" : "s", devices - 1));
    }
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(index)};
  }
  throw std::invalid_argument(
      fmt::format("unknown device \"{}\"; use \"auto\", \"cpu\", \"cuda\" or \"cuda:N\"", name));
}

std::string device_name(const torch::Device& device) {
  if (device.is_cpu()) return "cpu";
  return device.has_index() ? device.str() : device.str() + ":0";
}

std::string device_of_worker(std::string_view configured, int worker, int cuda_devices) {
  const bool any_gpu = configured == "cuda" || (configured == "auto" && cuda_devices > 0);
  if (!any_gpu || cuda_devices <= 1) return std::string(configured);
  return fmt::format("cuda:{}", worker % cuda_devices);
}

void place_model(torch::nn::Module& model, const torch::Device& device) {
  model.to(device);
  if (!device.is_cuda()) return;
  torch::NoGradGuard no_grad;
  for (auto& parameter : model.parameters()) {
    if (parameter.dim() == 4) {
      parameter.set_data(parameter.data().contiguous(torch::MemoryFormat::ChannelsLast));
    }
  }
}

at::Generator seeded_generator(const torch::Device& device, std::uint64_t seed) {
  if (device.is_cpu()) return at::make_generator<at::CPUGeneratorImpl>(seed);
  // A new generator of the device's kind, made without naming its type (a
  // CPU-only LibTorch has no CUDA generator to name): a copy of the
  // device's default one, then seeded. The default one's lock guards the
  // copy against another thread drawing from it meanwhile.
  auto shared = at::globalContext().defaultGenerator(device);
  at::Generator own;
  {
    const std::lock_guard lock(shared.mutex());
    own = shared.clone();
  }
  own.set_current_seed(seed);
  return own;
}

}  // namespace al::engine
