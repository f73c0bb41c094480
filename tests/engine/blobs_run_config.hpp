#pragma once
// The tests' small, reproducible run: the made blobs data, on the CPU
// (or the device ALPIPE_TEST_DEVICE names) with one thread (so that its numbers do not depend on the machine's cores),
// quiet, in the folder `results / "run"`.

#include "test_device.hpp"

#include <al/config.hpp>

#include <filesystem>

namespace al_test {

inline al::config blobs_run_config(const std::filesystem::path& results) {
  al::config c;
  c.data.name = "blobs";
  c.device = test_device();
  c.threads = 1;
  c.results_dir = results;
  c.run_name = "run";
  c.verbose = false;
  return c;
}

}  // namespace al_test
