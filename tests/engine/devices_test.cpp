// Where a run computes: device names and their errors, a comparison's
// workers spread over the GPUs, seeded generators, and bf16 autocast.

#include "blobs_run_config.hpp"
#include "test_files.hpp"

#include "../../src/core/mixed_precision.hpp"

#include <al/al.hpp>
#include <al/engine/devices.hpp>
#include <al/engine/model.hpp>

#include <catch2/catch.hpp>

#include <ATen/CPUGeneratorImpl.h>

#include <string>
#include <vector>

namespace devices_test {

using namespace al;
using al::random;
using al::engine::device_of_worker;

TEST_CASE("device names: cpu, auto, cuda and cuda:N, with errors that say what to use",
          "[devices]") {
  CHECK(engine::resolve_device("cpu") == torch::Device(torch::kCPU));
  CHECK(engine::device_name(torch::Device(torch::kCPU)) == "cpu");
  CHECK(engine::device_name(torch::Device(torch::kCUDA, 1)) == "cuda:1");
  CHECK(engine::device_name(torch::Device(torch::kCUDA)) == "cuda:0");
  CHECK_THROWS_WITH(engine::resolve_device("gpu"),
                    Catch::Contains("unknown device \"gpu\"") && Catch::Contains("\"cuda:N\""));
  for (const std::string bad : {"cuda:", "cuda:x", "cuda:-1", "cuda:1a", "cuda:0:0"}) {
    INFO(bad);
    CHECK_THROWS_WITH(engine::resolve_device(bad),
                      Catch::Contains("after \"cuda:\" comes the device's number"));
  }
  const auto gpus = torch::cuda::device_count();
  if (gpus == 0) {
    CHECK(engine::resolve_device("auto") == torch::Device(torch::kCPU));
    CHECK_THROWS_WITH(engine::resolve_device("cuda:0"),
                      Catch::Contains("sees no CUDA device") && Catch::Contains("\"cpu\""));
  } else {
    CHECK(engine::resolve_device("auto") == torch::Device(torch::kCUDA, 0));
    CHECK(engine::resolve_device("cuda") == torch::Device(torch::kCUDA, 0));
    const auto past = "cuda:" + std::to_string(gpus);
    CHECK_THROWS_WITH(engine::resolve_device(past),
                      Catch::Contains("cuda:0 to cuda:" + std::to_string(gpus - 1)));
  }
}

TEST_CASE("a comparison's workers take one GPU each, round the visible ones", "[devices]") {
  std::vector<std::string> spread;
  for (int worker = 0; worker < 5; ++worker) spread.push_back(device_of_worker("cuda", worker, 2));
  CHECK(spread == std::vector<std::string>{"cuda:0", "cuda:1", "cuda:0", "cuda:1", "cuda:0"});
  CHECK(device_of_worker("auto", 2, 3) == "cuda:2");
  CHECK(device_of_worker("auto", 2, 0) == "auto");   // no GPU: the CPU, as auto says
  CHECK(device_of_worker("cuda", 3, 1) == "cuda");   // one GPU: all on it
  CHECK(device_of_worker("cuda:1", 0, 4) == "cuda:1");  // pinned by the user
  CHECK(device_of_worker("cpu", 1, 4) == "cpu");
}

TEST_CASE("a seeded generator on the CPU draws what Torch's CPU generator of that seed draws",
          "[devices]") {
  auto ours = engine::seeded_generator(torch::kCPU, 42);
  auto torchs = at::make_generator<at::CPUGeneratorImpl>(42);
  CHECK(torch::equal(torch::randperm(100, ours, torch::kLong),
                     torch::randperm(100, torchs, torch::kLong)));
  CHECK(ours.device() == torch::Device(torch::kCPU));
  if (torch::cuda::is_available()) {
    // On a GPU: its own stream, reproducible from the seed, drawn there.
    auto one = engine::seeded_generator(torch::Device(torch::kCUDA, 0), 7);
    auto two = engine::seeded_generator(torch::Device(torch::kCUDA, 0), 7);
    const auto options = torch::TensorOptions().device(torch::kCUDA, 0);
    CHECK(torch::equal(torch::rand({64}, one, options), torch::rand({64}, two, options)));
  }
}

TEST_CASE("bf16 autocast runs matrix products in bfloat16 inside its scope, and only there",
          "[devices][bf16]") {
  const auto a = torch::randn({8, 16});
  const auto b = torch::randn({16, 4});
  CHECK(torch::mm(a, b).scalar_type() == torch::kFloat);
  {
    const engine::detail::bf16_autocast outer(torch::kCPU, true);
    CHECK(torch::mm(a, b).scalar_type() == torch::kBFloat16);
    {
      const engine::detail::bf16_autocast off(torch::kCPU, false);  // does nothing
      CHECK(torch::mm(a, b).scalar_type() == torch::kBFloat16);
    }
    CHECK(torch::mm(a, b).scalar_type() == torch::kBFloat16);
  }
  CHECK(torch::mm(a, b).scalar_type() == torch::kFloat);
}

TEST_CASE("train.bf16() trains on blobs as well as float32 does",
          "[devices][bf16][loop]") {
  auto c = al_test::blobs_run_config(al_test::named_scratch_folder("devices", "bf16"));
  const auto recipe = train.epochs(20).min_steps(150);
  const auto in_float32 = run(initial(random, 20) | recipe | cycle(1, query(margin, 20)), c);
  c.run_name = "bf16";
  const auto in_bf16 = run(initial(random, 20) | recipe.bf16() | cycle(1, query(margin, 20)), c);
  REQUIRE(in_bf16.cycles.size() == 2);
  // 4 blobs: chance is 0.25. bf16 rounds each product to 8 bits of
  // mantissa; the accuracies stay within a few test samples of float32's.
  CHECK(in_bf16.cycles.front().accuracy > 0.9);
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK(in_bf16.cycles[k].accuracy == Approx(in_float32.cycles[k].accuracy).margin(0.03));
  }
}

}  // namespace devices_test
