#pragma once
// What must not change when a run is interrupted, resumed or repaired: every
// line of its cycles.jsonl but the timings (and the check that signs them,
// timings included).

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace al_test {

inline std::vector<std::string> results_of(const std::filesystem::path& run_folder) {
  std::ifstream in(run_folder / "cycles.jsonl");
  std::vector<std::string> cycles;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    j.erase("seconds");
    j.erase("check");
    cycles.push_back(j.dump());
  }
  return cycles;
}

}  // namespace al_test
