#pragma once
// Makes comparison folders on disk as the engine and alpipe compare write
// them (nested config.json, plan.txt for people and plan.json as data), in
// a fresh temporary folder removed at the end of the test.

#include <al/experiment/plan_json.hpp>
#include <al/parse.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace made {

inline void write(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

inline std::string read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct run {
  std::string name;
  std::uint64_t seed = 0;
  std::vector<std::int64_t> labelled;
  std::vector<double> accuracy;
  std::vector<double> balanced;  // empty: not recorded
  double long_tail = 0;
  int planned_cycles = -1;  // -1: labelled.size() - 1
  bool plan_json = true;    // false: as written before runs recorded plan.json
  /// Cohen's kappa of cycles 1, 2, ... with the previous cycle; empty: not recorded.
  std::vector<double> agreement;
  /// The pipeline of plan.json; empty: initial(random, 100) | cycle(n, query(random, 100)).
  std::string pipeline;
};

class comparison_folder {
 public:
  explicit comparison_folder(const std::string& name)
      : folder_(std::filesystem::temp_directory_path() /
                fmt::format("alpipe-experiment-test-{}-{}", name, ::getpid())) {
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_);
  }
  ~comparison_folder() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  comparison_folder(const comparison_folder&) = delete;
  comparison_folder& operator=(const comparison_folder&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return folder_; }

  void add_run(const run& r) const {
    const auto dir = folder_ / r.name;
    const int cycles = r.planned_cycles >= 0 ? r.planned_cycles : static_cast<int>(r.labelled.size()) - 1;
    std::string plan = fmt::format("plan: {} cycle{}, {} labels in all; scoring pass computes: probs\n",
                                   cycles, cycles == 1 ? "" : "s", 100 * (cycles + 1));
    plan += "  [0] label     initial set: 100 samples by random (uniform without replacement)\n";
    for (int c = 0; c <= cycles; ++c) {
      plan += fmt::format(
          "  [{}] train     {} labels: adam lr=0.001 weight_decay=0.0005 epochs=30 (at least 300 "
          "steps) batch_size=32, from the seed's initial weights\n",
          c, 100 * (c + 1));
    }
    write(dir / "plan.txt", plan);
    if (r.plan_json) {
      write(dir / "plan.json",
            al::plan_json(al::parse(
                r.pipeline.empty()
                    ? fmt::format("initial(random, 100) | cycle({}, query(random, 100))", cycles)
                    : r.pipeline)));
    }
    write(dir / "config.json",
          fmt::format(R"({{"seed": {}, "device": "cpu", "threads": 2, "model": "small_cnn",
  "data": {{"name": "fashion-mnist", "folder": "", "pool_size": 10000, "test_size": 0,
  "subset_seed": 0, "long_tail": {}}}, "unknown_field": [1, 2]}})",
                      r.seed, r.long_tail));
    write(dir / "versions.json",
          R"({"alpipe": "0.1.0", "libtorch": "1.13.1", "fmt": 90100, "compiler": "12.2.0", "device": "cpu"})");
    std::string lines;
    for (std::size_t k = 0; k < r.labelled.size(); ++k) {
      lines += fmt::format(
          R"({{"cycle":{},"labelled":{},"accuracy":{},"per_class_accuracy":[0.5,0.5],)", k,
          r.labelled[k], r.accuracy[k]);
      if (!r.balanced.empty()) lines += fmt::format(R"("balanced_accuracy":{},)", r.balanced[k]);
      if (k > 0 && k - 1 < r.agreement.size()) {
        lines += fmt::format(R"("agreement":{},)", r.agreement[k - 1]);
      }
      lines += R"("query_class_histogram":[50,50],"seconds":{"train":1.0,"score":0.0,"select":0.0,"evaluate":0.5},"queried":[1,2]})";
      lines += "\n";
    }
    write(dir / "cycles.jsonl", lines);
  }

  /// comparison.json with the given pipelines: {label, runs}; the first is random.
  void write_index(const std::vector<std::pair<std::string, std::vector<std::string>>>& pipelines,
                   const std::string& seeds = "[0, 1, 2]") const {
    std::string entries;
    for (const auto& [label, runs] : pipelines) {
      std::string names;
      for (const auto& n : runs) names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", n);
      entries += fmt::format(
          R"json({}{{"label": "{}", "text": "initial(random, 100) | cycle(2, query({}, 100))", "added": {}, "runs": [{}]}})json",
          entries.empty() ? "" : ",\n  ", label, label, label == "random" ? "true" : "false", names);
    }
    write(folder_ / "comparison.json",
          fmt::format("{{\"format\": 1, \"seeds\": {}, \"baseline\": \"random\",\n \"pipelines\": [\n  {}]}}\n",
                      seeds, entries));
  }

 private:
  std::filesystem::path folder_;
};

}  // namespace made
