#pragma once
// Every lesson's command line goes through CLI11: an unknown option, a
// missing value or a number that is not one is an error naming the option
// (exit status 2), and --help prints the lesson's options (exit status 0).
//
//   CLI::App app{"what the lesson does"};
//   app.add_option("--out", c.results_dir, "parent folder of the results");
//   if (const auto stop = lessons::parse_command_line(app, argc, argv)) return *stop;

#include <CLI/CLI.hpp>

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

}  // namespace lessons
