#pragma once
// The command line every comparing lesson takes, and the loop that runs each
// of its pipelines ("arms") for each seed.
//
//   lesson [--smoke] [--seeds N] [--pool N] [--out DIR]
//
// --smoke is the tiny budget ctest runs; the seeds then default to 1.

#include <al/config.hpp>
#include <al/run.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace lessons {

struct lesson_options {
  bool smoke = false;
  int seeds = 3;
  std::int64_t pool = 0;
};

/// Reads the options into `options` and `c.results_dir`; prints the usage
/// and returns false on anything else.
inline bool parse_lesson_options(int argc, char** argv, lesson_options& options, al::config& c) {
  bool seeds_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--smoke") {
      options.smoke = true;
    } else if (arg == "--seeds" && i + 1 < argc) {
      options.seeds = std::stoi(argv[++i]);
      seeds_given = true;
    } else if (arg == "--pool" && i + 1 < argc) {
      options.pool = std::stoll(argv[++i]);
    } else if (arg == "--out" && i + 1 < argc) {
      c.results_dir = argv[++i];
    } else {
      fmt::print(stderr, "usage: {} [--smoke] [--seeds N] [--pool N] [--out DIR]\n", argv[0]);
      return false;
    }
  }
  if (options.smoke && !seeds_given) options.seeds = 1;
  return true;
}

/// Runs every pipeline of `pipelines` under seeds 0 … seeds − 1, each in its
/// own results folder `arm<k>-seed<s>`, and hands each report to
/// `record(arm, seed, report)`.
template <class Pipelines, class Record>
void run_arms(const Pipelines& pipelines, int seeds, al::config c, Record&& record) {
  for (int seed = 0; seed < seeds; ++seed) {
    c.seed = static_cast<std::uint64_t>(seed);
    std::size_t arm = 0;
    std::apply(
        [&](const auto&... p) {
          ((c.run_name = fmt::format("arm{}-seed{}", arm, seed), record(arm, c.seed, run(p, c)),
            fmt::print("seed {}: arm {} done\n", seed, arm), std::fflush(stdout), ++arm),
           ...);
        },
        pipelines);
  }
}

}  // namespace lessons
