// Lesson 10 — write your own set selector and combinator.
//
// Most new methods choose a whole batch at once (coreset, BADGE, TypiClust,
// ProbCover): they are set selectors, not per-sample scores. A set selector
// has the same two halves as the scorer of lesson 09:
//   * the DSL word: a literal type with its name, what it needs from the
//     model, kind = set_selector and one line for explain(). No LibTorch.
//   * the engine side: a function that chooses `count` of the candidate
//     rows, registered under the same name (al::engine::register_selector).
// A combinator is a selector over selectors: its engine side chooses through
// its nested words with al::engine::select_rows, so any word nests in it.
//
// Here:
//   * "kcentroids": k-means on the candidates' embeddings with k = the query
//     size, then the candidate nearest each centre — a common diversity
//     baseline (it covers the pool's clusters, where coreset reaches for
//     outliers). Distances are computed in blocks of rows: memory O(N·d).
//   * "interleave(a, b)": takes a's picks and b's picks in turn, each once.
//
// Run it:   build/examples/10-own-selector [--blobs] [--out DIR]

#include "command_line.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>
#include <al/engine/set_selection.hpp>  // LibTorch: only for the engine halves

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

// ---- the DSL words ------------------------------------------------------------
struct kcentroids_t {
  static constexpr std::string_view name = "kcentroids";
  static constexpr al::needs_set needs = al::need::embedding;
  static constexpr al::selector_kind kind = al::selector_kind::set_selector;
  static constexpr std::string_view description =
      "k-means on the embeddings (k = query size), the sample nearest each centre";
};
inline constexpr kcentroids_t kcentroids{};

/// interleave(a, b)'s plan data, from its nested words' — one function for
/// both front ends.
al::selector_spec interleave_spec(al::selector_spec a, al::selector_spec b) {
  al::selector_spec out{"interleave", a.needs | b.needs,
                        fmt::format("{} and {} in turn", a.name, b.name)};
  out.inner = {std::move(a), std::move(b)};
  return out;
}

/// interleave(a, b): a combinator, so it holds its nested words and spells
/// them in its plan data (spec) and its text.
template <al::selector A, al::selector B>
struct interleave_t {
  static constexpr std::string_view name = "interleave";
  static constexpr al::needs_set needs = A::needs | B::needs;
  static constexpr al::selector_kind kind = al::selector_kind::set_selector;
  static constexpr std::string_view description = "the picks of two strategies in turn";
  A first;
  B second;

  [[nodiscard]] al::selector_spec spec() const {
    return interleave_spec(al::to_spec(first), al::to_spec(second));
  }
  [[nodiscard]] std::string to_text() const {
    return fmt::format("interleave({}, {})", al::to_text(first), al::to_text(second));
  }
};
struct interleave_fn {
  template <al::selector A, al::selector B>
  constexpr interleave_t<A, B> operator()(A a, B b) const {
    return {a, b};
  }
};
inline constexpr interleave_fn interleave{};

/// What the text DSL needs to read interleave(a, b): its arguments and how
/// they become plan data. (A word type such as kcentroids describes itself.)
al::word_info interleave_word() {
  al::word_info info;
  info.spec = {"interleave", {}, "the picks of strategies a and b in turn, each sample once"};
  info.kind = al::selector_kind::set_selector;
  info.usage = "interleave(a, b)";
  info.arguments = {al::word_argument::strategy("first strategy"),
                    al::word_argument::strategy("second strategy")};
  info.build = [](std::vector<al::selector_spec> strategies, std::vector<double>) {
    return interleave_spec(std::move(strategies[0]), std::move(strategies[1]));
  };
  return info;
}

// ---- the engine sides -----------------------------------------------------------
namespace {

/// Each row's nearest centre, computed 4 096 rows at a time: never N × k
/// distances at once for a large pool.
torch::Tensor nearest_centres(const torch::Tensor& points, const torch::Tensor& centres) {
  std::vector<torch::Tensor> parts;
  const auto centre_norms = centres.pow(2).sum(1);
  for (std::int64_t start = 0; start < points.size(0); start += 4096) {
    const auto block = points.narrow(0, start, std::min<std::int64_t>(4096, points.size(0) - start));
    const auto distances = centre_norms.unsqueeze(0) - 2 * block.matmul(centres.t());
    parts.push_back(distances.argmin(1));
  }
  return torch::cat(parts);
}

std::vector<std::int64_t> kcentroids_select(const al::selector_spec&,
                                            const al::engine::selection_inputs& inputs,
                                            const std::vector<std::int64_t>& rows,
                                            std::int64_t count) {
  const auto index = torch::tensor(rows, torch::kLong);
  const auto points = inputs.outputs->embedding.index_select(0, index).to(torch::kFloat32);
  // Lloyd's k-means from k distinct rows drawn with the selection's seed.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(inputs.seed);
  auto centres = points.index_select(0, torch::randperm(points.size(0), generator).narrow(0, 0, count));
  for (int iteration = 0; iteration < 10; ++iteration) {
    const auto assigned = nearest_centres(points, centres);
    const auto sums = torch::zeros_like(centres).index_add_(0, assigned, points);
    const auto sizes = torch::bincount(assigned, {}, count).to(torch::kFloat32).unsqueeze(1);
    // A centre that lost every point stays where it was.
    centres = torch::where(sizes > 0, sums / sizes.clamp_min(1), centres);
  }
  // The sample nearest each centre, each sample once.
  std::vector<std::int64_t> chosen;
  std::unordered_set<std::int64_t> taken;
  const auto point_norms = points.pow(2).sum(1);
  for (std::int64_t c = 0; c < count; ++c) {
    auto distances = point_norms - 2 * points.matmul(centres[c]);
    for (const auto t : taken) distances[t] = std::numeric_limits<float>::infinity();
    const auto best = distances.argmin().item<std::int64_t>();
    taken.insert(best);
    chosen.push_back(rows[static_cast<std::size_t>(best)]);
  }
  return chosen;
}

std::vector<std::int64_t> interleave_select(const al::selector_spec& spec,
                                            const al::engine::selection_inputs& inputs,
                                            const std::vector<std::int64_t>& rows,
                                            std::int64_t count) {
  const auto a = al::engine::select_rows(spec.inner.at(0), inputs, rows, count);
  const auto b = al::engine::select_rows(spec.inner.at(1), inputs, rows, count);
  std::vector<std::int64_t> chosen;
  std::unordered_set<std::int64_t> taken;
  for (std::size_t i = 0; static_cast<std::int64_t>(chosen.size()) < count; ++i) {
    for (const auto& picks : {std::cref(a), std::cref(b)}) {
      if (i < picks.get().size() && static_cast<std::int64_t>(chosen.size()) < count &&
          taken.insert(picks.get()[i]).second) {
        chosen.push_back(picks.get()[i]);
      }
    }
  }
  return chosen;
}

}  // namespace

static int lesson(int argc, char** argv) {
  using namespace al;
  using al::random;

  config c;
  c.results_dir = "results/own-selector";
  c.data.pool_size = 5000;
  c.data.test_size = 2000;
  CLI::App app{"Lesson 10: your own set selector and combinator."};
  lessons::add_blobs_option(app, c);
  app.add_option("--out", c.results_dir, "parent folder of the results");
  if (const auto stop = lessons::parse_command_line(app, argc, argv)) return *stop;

  // The engine halves, under the words' names; then the words for the text
  // DSL, as the built-in ones are registered.
  engine::register_selector("kcentroids", kcentroids_select);
  engine::register_selector("interleave", interleave_select);
  register_word(kcentroids);
  register_word(interleave_word());
  fmt::print("strategy words now: {}\ncombinators now: {}\n\n",
             fmt::join(strategy_words(), " "), fmt::join(combinator_words(), " "));

  // The typed DSL, exactly like a built-in word — nested in a built-in
  // combinator, and a built-in word nested in the user's combinator.
  constexpr auto p = initial(random, 40) | train.epochs(20) |
                     cycle(2, query(prefilter(entropy, 3) >> kcentroids, 40));
  constexpr auto q = initial(random, 40) | train.epochs(20) |
                     cycle(2, query(interleave(kcentroids, margin), 40));
  static_assert(needs(p).contains(need::embedding) && needs(q).contains(need::probs));
  fmt::print("{}\n", explain(p));

  // The text DSL reads the registered words and gives the same plans.
  for (const auto& [text, plan] : {std::pair{to_string(p), lower(p)}, {to_string(q), lower(q)}}) {
    fmt::print("as text: {}\nsame plan when parsed: {}\n", text, parse(text) == plan);
  }
  fmt::print("\n");

  // A comparison of both against the random baseline, which compare adds.
  c.verbose = false;
  compare_options options;
  options.seeds = {0};
  const auto result = compare({{"kcentroids", p}, {"interleave", q}}, c, options);
  for (const auto& pipeline : result.record.pipelines) {
    for (const auto& cycle : pipeline.runs.front().cycles) {
      fmt::print("{}, {} labels: test accuracy {:.2f}%\n", pipeline.label, cycle.labelled,
                 100 * cycle.accuracy);
    }
  }
  fmt::print("report: {}\n", result.report.string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
