#pragma once
// Every lesson's command line goes through CLI11: an unknown option, a
// missing value or a number that is not one is an error naming the option
// (exit status 2), and --help prints the lesson's options (exit status 0).
//
//   CLI::App app{"what the lesson does"};
//   app.add_option("--out", c.results_dir, "parent folder of the results");
//   if (const auto stop = lessons::parse_command_line(app, argc, argv)) return *stop;

#include <al/config.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <optional>

namespace lessons {

/// Parses `argv` into `app`'s options. Returns the exit status to stop
/// with — 0 after --help, 2 after a mistake (CLI11 printed which) — or
/// nullopt when the lesson should run.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
}

/// --seed N: the run's seed, a whole number of 0 or more. Read as a signed
/// number first, so that "-1" is refused instead of wrapping to 2^64 - 1.
inline void add_seed_option(CLI::App& app, al::config& c) {
  app.add_option_function<std::int64_t>(
         "--seed", [&c](std::int64_t seed) { c.seed = static_cast<std::uint64_t>(seed); },
         "the run's seed (initial set, weights, batches)")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()));
}

/// --blobs: synthetic blobs instead of Fashion-MNIST, the small lessons'
/// data under ctest (the whole blobs set: no pool or test subset).
inline void add_blobs_option(CLI::App& app, al::config& c) {
  app.add_flag_callback(
      "--blobs",
      [&c] {
        c.data.name = "blobs";
        c.data.pool_size = 0;
        c.data.test_size = 0;
      },
      "synthetic blobs instead of Fashion-MNIST (what ctest runs)");
}

}  // namespace lessons
