// Lesson 09 — write your own strategy and use it like a built-in word.
//
// A strategy has two halves:
//   * the DSL word: a small literal type saying its name, what it needs from
//     the model, whether it scores samples one by one, and one line for
//     explain(). No LibTorch: pipelines using it still compile in a second.
//   * the engine side: a function from the scoring pass's outputs to one
//     score per candidate (largest picked first), registered under the same
//     name. LibTorch lives in this file only.
//
// Here: "ratio" sampling — the ratio p(2)/p(1) of the two most probable
// classes, close to 1 where the model hesitates between two classes.
//
// Run it:   build/examples/09-own-strategy [--blobs] [--out DIR]

#include "command_line.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>
#include <al/engine/selection.hpp>  // LibTorch: only for the engine half

#include <fmt/format.h>

#include <string_view>

// ---- the DSL word -----------------------------------------------------------
struct ratio_t {
  static constexpr std::string_view name = "ratio";
  static constexpr al::needs_set needs = al::need::probs;
  static constexpr al::selector_kind kind = al::selector_kind::scorer;
  static constexpr std::string_view description =
      "largest ratio p(2)/p(1) of the two most probable classes";
};
inline constexpr ratio_t ratio{};

// ---- the engine side ----------------------------------------------------------
torch::Tensor ratio_scores(const al::engine::pool_outputs& outputs,
                           const al::engine::selection_context&) {
  const auto top_two = std::get<0>(outputs.probs.topk(2, 1));
  return top_two.select(1, 1) / top_two.select(1, 0);
}

static int lesson(int argc, char** argv) {
  using namespace al;
  using al::random;

  config c;
  c.results_dir = "results/own-strategy";
  c.data.pool_size = 5000;
  c.data.test_size = 2000;
  CLI::App app{"Lesson 09: your own per-sample scorer."};
  lessons::add_blobs_option(app, c);
  app.add_option("--out", c.results_dir, "parent folder of the results");
  if (const auto stop = lessons::parse_command_line(app, argc, argv)) return *stop;

  engine::register_scorer("ratio", ratio_scores);  // the engine half
  register_word(ratio);                            // so the text DSL knows the word too

  // In the typed DSL, exactly like a built-in word — requirements included.
  constexpr auto p = initial(random, 40) | train.epochs(20) | cycle(2, query(ratio, 40));
  static_assert(needs(p).contains(need::probs));
  fmt::print("{}\n", explain(p));

  // ... and in the text DSL, which gives the same plan.
  const auto text = to_string(p);
  fmt::print("as text: {}\nsame plan when parsed: {}\n\n", text, parse(text) == lower(p));

  const auto report = run(p, c);
  for (const auto& cycle : report.cycles) {
    fmt::print("ratio, {} labels: test accuracy {:.2f}%\n", cycle.labelled, 100 * cycle.accuracy);
  }
  fmt::print("results written to {}\n", report.folder.string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
