#pragma once
// The device the engine tests run on: the CPU, or the one named by the
// environment variable ALPIPE_TEST_DEVICE (cuda, cuda:1, ...), so that the
// same tests check a GPU build on a GPU machine (tools/device-check).

#include <cstdlib>
#include <string>

namespace al_test {

inline std::string test_device() {
  const char* named = std::getenv("ALPIPE_TEST_DEVICE");
  return named != nullptr && *named != '\0' ? named : "cpu";
}

}  // namespace al_test
