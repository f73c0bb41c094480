// report.md: everything a reader needs to judge a comparison, from the
// results folder alone, so anyone holding the folder can regenerate it (and
// get the same bytes: no dates, no paths, fixed formatting).

#include <al/experiment/report.hpp>

#include <al/explain.hpp>
#include <al/stopping_rule.hpp>

#include "../oracle/atomic_file.hpp"
#include "comparison_summary.hpp"
#include "svg_curves.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <string_view>
#include <variant>

namespace al {
namespace {

using experiment::comparison_summary;
using experiment::pipeline_summary;

constexpr double alpha = 0.05;

// Markdown table cells end at '|'.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}


std::string percent(double value) { return fmt::format("{:.2f}", 100 * value); }

std::string mean_std(double mean, double std) {
  return fmt::format("{:.2f} ± {:.2f}", 100 * mean, 100 * std);
}

// A signed number of points that never prints "-0.00".
std::string signed_points(double value) {
  const double points = 100 * value;
  return fmt::format("{:+.2f}", std::fabs(points) < 0.005 ? 0.0 : points);
}

// The values in first-seen order, each once, joined by ", ".
std::string distinct(const std::vector<std::string>& values) {
  std::vector<std::string> seen;
  for (const auto& v : values) {
    if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
  }
  return seen.empty() ? "—" : fmt::format("{}", fmt::join(seen, ", "));
}

std::string size_text(std::int64_t size, std::string_view split) {
  return size == 0 ? fmt::format("all of the {} split", split) : fmt::format("{}", size);
}

// Each training's recipe, as the plan's train line says it.
std::vector<std::string> recipes_of(const run_record& run) {
  std::vector<std::string> recipes;
  if (!run.expanded_plan) return recipes;
  const bool pretrained = run.expanded_plan->pretraining() != nullptr;
  for (const auto& s : run.expanded_plan->steps) {
    if (const auto* train = std::get_if<train_step>(&s)) {
      recipes.push_back(describe(train->recipe, pretrained));
    }
  }
  return recipes;
}

std::string code_fence_for(const std::string& text) {
  // A fence longer than any run of backticks in the text cannot end early.
  std::size_t longest = 0;
  std::size_t run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

std::vector<const run_record*> all_runs(const comparison_record& comparison) {
  std::vector<const run_record*> runs;
  for (const auto& p : comparison.pipelines) {
    for (const auto& r : p.runs) runs.push_back(&r);
  }
  return runs;
}

std::string pipeline_name(const pipeline_summary& p, const comparison_record& comparison) {
  std::vector<std::string_view> notes;
  if (p.pipeline->label == comparison.baseline) notes.push_back("baseline");
  if (p.pipeline->added) notes.push_back("added");
  if (notes.empty()) return p.pipeline->label;
  return fmt::format("{} ({})", p.pipeline->label, fmt::join(notes, ", "));
}

void protocol_section(std::string& out, const comparison_record& comparison,
                      const comparison_summary& summary) {
  const auto runs = all_runs(comparison);
  std::vector<const run_record*> finished;
  for (const auto& p : summary.pipelines) finished.insert(finished.end(), p.finished.begin(), p.finished.end());
  const auto& counted = finished.empty() ? runs : finished;

  std::vector<std::string> data, pool, test, subset, tail, initial, query, cycles, device, model,
      threads;
  for (const auto* r : runs) {
    const auto& s = r->settings;
    data.push_back(s.data.empty() ? "not recorded" : s.data);
    pool.push_back(size_text(s.pool_size, "training"));
    test.push_back(size_text(s.test_size, "test"));
    subset.push_back(fmt::format("{}", s.subset_seed));
    tail.push_back(s.long_tail == 0 ? "no (balanced pool)" : fmt::format("yes, ρ = {}", s.long_tail));
    device.push_back(s.device.empty() ? "not recorded" : s.device);
    model.push_back(s.model.empty() ? "not recorded" : s.model);
    threads.push_back(s.threads == 0   ? std::string("all cores")
                      : s.threads == 1 ? std::string("1 thread")
                                       : fmt::format("{} threads", s.threads));
    cycles.push_back(fmt::format("{}", r->expected_cycles == 0 ? 0 : r->expected_cycles - 1));
  }
  for (const auto* r : counted) {
    if (!r->cycles.empty()) initial.push_back(fmt::format("{}", r->cycles.front().labelled));
    for (std::size_t k = 1; k < r->cycles.size(); ++k) {
      query.push_back(fmt::format("{}", r->cycles[k].labelled - r->cycles[k - 1].labelled));
    }
  }
  std::vector<std::string> seeds;
  for (const auto seed : comparison.seeds) seeds.push_back(fmt::format("{}", seed));
  if (seeds.empty()) {
    for (const auto* r : runs) seeds.push_back(fmt::format("{}", r->settings.seed));
  }

  out += "## Protocol\n\n| | |\n| --- | --- |\n";
  out += fmt::format("| data | {} |\n", cell(distinct(data)));
  out += fmt::format("| pool | {} (subset seed {}) |\n", cell(distinct(pool)), cell(distinct(subset)));
  out += fmt::format("| test set | {} |\n", cell(distinct(test)));
  out += fmt::format("| long-tailed pool | {} |\n", cell(distinct(tail)));
  out += fmt::format("| initial set | {} labels |\n", cell(distinct(initial)));
  out += fmt::format("| query size | {} |\n", cell(distinct(query)));
  out += fmt::format("| cycles | {} after the initial set |\n", cell(distinct(cycles)));
  out += fmt::format("| seeds | {} |\n", cell(distinct(seeds)));
  out += fmt::format("| device | {} ({}) |\n", cell(distinct(device)), cell(distinct(threads)));
  out += fmt::format("| model | {} |\n", cell(distinct(model)));

  // The recipe: each distinct train line, and which pipelines use it when
  // they differ (the fair protocol wants one recipe for all).
  std::vector<std::pair<std::string, std::vector<std::string>>> recipes;
  for (const auto& p : comparison.pipelines) {
    std::vector<std::string> lines;
    for (const auto& r : p.runs) {
      for (auto& line : recipes_of(r)) lines.push_back(std::move(line));
    }
    for (const auto& line : lines) {
      auto found = std::find_if(recipes.begin(), recipes.end(),
                                [&](const auto& entry) { return entry.first == line; });
      if (found == recipes.end()) {
        recipes.push_back({line, {}});
        found = recipes.end() - 1;
      }
      if (std::find(found->second.begin(), found->second.end(), p.label) == found->second.end()) {
        found->second.push_back(p.label);
      }
    }
  }
  std::vector<std::string> recipe_cells;
  for (const auto& [line, users] : recipes) {
    recipe_cells.push_back(
        recipes.size() == 1 ? fmt::format("`{}`", line)
                            : fmt::format("`{}` ({})", line, fmt::join(users, ", ")));
  }
  out += fmt::format("| training recipe | {} |\n",
                     recipe_cells.empty() ? "not in the plans"
                                          : cell(fmt::format("{}", fmt::join(recipe_cells, "<br>"))));

  std::vector<std::string> version_names;
  for (const auto* r : runs) {
    for (const auto& [name, value] : r->versions) {
      if (std::find(version_names.begin(), version_names.end(), name) == version_names.end()) {
        version_names.push_back(name);
      }
    }
  }
  std::vector<std::string> version_cells;
  for (const auto& name : version_names) {
    std::vector<std::string> values;
    for (const auto* r : runs) {
      for (const auto& [n, value] : r->versions) {
        if (n == name) values.push_back(value);
      }
    }
    version_cells.push_back(fmt::format("{} {}", name, distinct(values)));
  }
  out += fmt::format("| versions | {} |\n\n",
                     version_cells.empty() ? "not recorded"
                                           : cell(fmt::format("{}", fmt::join(version_cells, "; "))));
}

void runs_section(std::string& out, const comparison_summary& summary) {
  std::size_t total = 0;
  std::vector<std::string> unfinished;
  for (const auto& p : summary.pipelines) {
    total += p.finished.size() + p.unfinished.size();
    for (const auto* r : p.unfinished) {
      unfinished.push_back(fmt::format("`{}` ({} of {} cycles)", r->name, r->cycles.size(),
                                       r->expected_cycles));
    }
  }
  out += "## Runs\n\n";
  if (unfinished.empty()) {
    out += fmt::format("All {} runs finished.\n\n", total);
    return;
  }
  out += fmt::format(
      "⚠ **{} of {} runs unfinished**, left out of every mean, table and test below: {}. "
      "Run them to the end and regenerate this report.\n\n",
      unfinished.size(), total, fmt::join(unfinished, ", "));
}

void aubc_section(std::string& out, const comparison_record& comparison,
                  const comparison_summary& summary) {
  out += "## Area under the budget curve (AUBC)\n\n"
         "The trapezoidal area under test accuracy against labelled count, divided by the budget "
         "span: the mean accuracy over the budget, in %. Mean ± std over the finished seeds; the "
         "best mean in bold.\n\n";
  double best = -1;
  double best_balanced = -1;
  for (const auto& p : summary.pipelines) {
    if (!p.aubc_by_seed.empty()) best = std::max(best, p.aubc.mean);
    if (!p.balanced_aubc_by_seed.empty()) best_balanced = std::max(best_balanced, p.balanced_aubc.mean);
  }
  out += summary.long_tailed ? "| pipeline | AUBC (%) | balanced AUBC (%) | seeds |\n| --- | --- | --- | --- |\n"
                             : "| pipeline | AUBC (%) | seeds |\n| --- | --- | --- |\n";
  for (const auto& p : summary.pipelines) {
    const auto value = [](const std::vector<double>& by_seed, const sample_summary& s, double top,
                          bool any_finished) -> std::string {
      if (!any_finished) return "no finished run";
      if (by_seed.empty()) return "— (fewer than 2 points)";
      const auto text = mean_std(s.mean, s.std);
      return s.mean == top ? "**" + text + "**" : text;
    };
    out += fmt::format("| {} | {} ", cell(pipeline_name(p, comparison)),
                       value(p.aubc_by_seed, p.aubc, best, !p.finished.empty()));
    if (summary.long_tailed) {
      out += fmt::format("| {} ", p.balanced ? value(p.balanced_aubc_by_seed, p.balanced_aubc,
                                                     best_balanced, !p.finished.empty())
                                             : std::string("not recorded"));
    }
    out += fmt::format("| {} |\n", p.finished.size());
  }
  out += "\n";
}

void verdict_section(std::string& out, const comparison_record& comparison,
                     const comparison_summary& summary) {
  out += fmt::format("## Verdict against {}\n\n", comparison.baseline);
  if (!summary.baseline) {
    out += fmt::format(
        "No pipeline is labelled '{}', the baseline comparison.json names: no verdict. Add the "
        "random baseline to the comparison (alpipe compare does so by default).\n\n",
        comparison.baseline);
    return;
  }
  out += fmt::format(
      "Paired over the seeds both finished: the mean difference of AUBC to {0} in points, the "
      "paired t statistic (mean / (sd / √n)), its degrees of freedom n − 1 and the two-sided "
      "p-value; significant at α = {1}. A pipeline below {0} is flagged, not hidden.\n\n"
      "| pipeline | AUBC − {0} (points) | t | df | p | seeds | verdict |\n"
      "| --- | --- | --- | --- | --- | --- | --- |\n",
      comparison.baseline, alpha);
  for (const auto& [index, test] : summary.versus_baseline) {
    const auto& p = summary.pipelines[index];
    std::string t = "—";
    std::string df = "—";
    std::string p_value = "—";
    if (test.outcome == paired_outcome::no_spread) {
      t = "undefined (no spread)";
      df = fmt::format("{}", test.df);
    } else if (test.outcome == paired_outcome::tested) {
      t = fmt::format("{:.2f}", *test.t);
      df = fmt::format("{}", test.df);
      p_value = *test.p < 0.0001 ? "< 0.0001" : fmt::format("{:.4f}", *test.p);
    }
    auto verdict_text = describe_verdict(test, comparison.baseline, alpha);
    if (classify(test, alpha) == verdict::below) verdict_text = "⚠ **" + verdict_text + "**";
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", cell(pipeline_name(p, comparison)),
                       test.n == 0 ? "—" : signed_points(test.mean_difference), t, df, p_value,
                       test.n, cell(verdict_text));
  }
  out += "\n";
}

void curve_table(std::string& out, const comparison_summary& summary, bool balanced) {
  std::set<std::int64_t> counts;
  for (const auto& p : summary.pipelines) {
    for (const auto& point : balanced ? p.mean_balanced : p.mean_accuracy) counts.insert(point.labelled);
  }
  out += "| labelled |";
  for (const auto& p : summary.pipelines) {
    out += fmt::format(" {} ({} seed{}) |", cell(p.pipeline->label), p.finished.size(),
                       p.finished.size() == 1 ? "" : "s");
  }
  out += "\n| ---: |";
  for (std::size_t i = 0; i < summary.pipelines.size(); ++i) out += " ---: |";
  out += "\n";
  for (const auto count : counts) {
    out += fmt::format("| {} |", count);
    for (const auto& p : summary.pipelines) {
      const auto& points = balanced ? p.mean_balanced : p.mean_accuracy;
      const auto found = std::find_if(points.begin(), points.end(),
                                      [&](const curve_point& c) { return c.labelled == count; });
      out += found == points.end() ? " — |" : fmt::format(" {} |", mean_std(found->mean, found->std));
    }
    out += "\n";
  }
  out += "\n";
}

void curves_section(std::string& out, const comparison_summary& summary) {
  out += "## Learning curves\n\n"
         "![Test accuracy (%) against labelled samples: mean line and ±1 std band over seeds per "
         "pipeline](curves.svg)\n\n";
  if (summary.long_tailed) {
    out += "![Balanced accuracy (%) against labelled samples: mean line and ±1 std band over "
           "seeds per pipeline](balanced-curves.svg)\n\n";
  }
  out += "### Test accuracy (%) by labelled count, mean ± std over seeds\n\n";
  curve_table(out, summary, false);
  if (summary.long_tailed) {
    out += "### Balanced accuracy (%) by labelled count, mean ± std over seeds\n\n"
           "The mean of the per-class recalls: on a long-tailed pool, what accuracy hides.\n\n";
    curve_table(out, summary, true);
  }
}

void penalty_section(std::string& out, const comparison_summary& summary) {
  out += "## Pairwise penalty matrix\n\n";
  const auto points = summary.penalty_labelled.size();
  const auto seeds = summary.penalty_seeds.size();
  out += fmt::format(
      "Row i, column j: the fraction of the {} labelled counts all pipelines share at which i "
      "is significantly better than j (two-sided paired t test on test accuracy over the {} "
      "seeds every pipeline finished, α = {}; each such count adds 1/{}). The last row sums "
      "each column: how much a pipeline loses.\n\n",
      points, seeds, alpha, points);
  if (seeds < 2) {
    out += "Fewer than 2 seeds finished by every pipeline: no test is possible, so every entry "
           "is 0. Run more seeds.\n\n";
  }
  out += "| row beats column |";
  for (const auto& p : summary.pipelines) out += fmt::format(" {} |", cell(p.pipeline->label));
  out += "\n| --- |";
  for (std::size_t i = 0; i < summary.pipelines.size(); ++i) out += " ---: |";
  out += "\n";
  for (std::size_t i = 0; i < summary.pipelines.size(); ++i) {
    out += fmt::format("| **{}** |", cell(summary.pipelines[i].pipeline->label));
    for (std::size_t j = 0; j < summary.pipelines.size(); ++j) {
      out += i == j ? " — |" : fmt::format(" {:.2f} |", summary.penalty[i][j]);
    }
    out += "\n";
  }
  out += "| losses (column sum) |";
  for (const auto loss : penalty_column_sums(summary.penalty)) out += fmt::format(" {:.2f} |", loss);
  out += "\n\n";
}

/// Where each stopping rule, at its defaults, would have ended every
/// finished run, from the statistics each cycle recorded: a rule is judged
/// by the labels it saves against the accuracy it costs.
void stopping_section(std::string& out, const comparison_summary& summary) {
  const bool recorded = std::ranges::any_of(summary.pipelines, [](const pipeline_summary& p) {
    return std::ranges::any_of(p.finished, [](const run_record* run) {
      return std::ranges::any_of(run->cycles, [](const cycle_record& c) { return c.agreement.has_value(); });
    });
  });
  out += "## Where each stopping rule would have stopped\n\n";
  if (!recorded) {
    out += "These runs did not record the kappa between successive models (they were written "
           "before runs recorded it), so the stopping rules cannot be replayed on them.\n\n";
    return;
  }
  out += fmt::format(
      "Every run records, after each cycle, what the stopping rules read: test accuracy, and "
      "Cohen's kappa between this cycle's and the previous cycle's predictions on a fixed stop "
      "set of {} pool samples. Replayed on the finished runs, each rule at its defaults: in how "
      "many seeds it would have stopped the run before its last cycle and, over those seeds, the "
      "mean labels at the stop, the labels that saved, and the test accuracy that cost (final "
      "minus at the stop, in points; negative: the run lost accuracy after the stop).\n\n",
      stop_set_size);
  for (const auto& name : stopping_rule_words()) {
    const auto rule = find_stopping_rule(name)->defaults;
    out += fmt::format("**{}**: {}\n\n", name, rule.description);
    out += "| pipeline | stopped early (seeds) | labels at the stop | labels saved | accuracy cost "
           "(points) |\n| --- | ---: | ---: | ---: | ---: |\n";
    for (const auto& p : summary.pipelines) {
      std::vector<double> at_stop, saved, cost;
      for (const auto* run : p.finished) {
        const auto evidence = stopping_evidence_of(*run);
        const auto stop = would_stop_at(rule, evidence);
        if (!stop || *stop == run->cycles.back().cycle) continue;
        const auto& stopped = *std::ranges::find(run->cycles, *stop, &cycle_record::cycle);
        at_stop.push_back(static_cast<double>(stopped.labelled));
        saved.push_back(static_cast<double>(run->cycles.back().labelled - stopped.labelled));
        cost.push_back(100 * (run->cycles.back().accuracy - stopped.accuracy));
      }
      const auto mean = [](const std::vector<double>& v) {
        return v.empty() ? std::string("—")
                         : fmt::format("{:.1f}", std::accumulate(v.begin(), v.end(), 0.0) /
                                                     static_cast<double>(v.size()));
      };
      out += fmt::format("| {} | {} of {} | {} | {} | {} |\n", cell(p.pipeline->label),
                         at_stop.size(), p.finished.size(), mean(at_stop), mean(saved), mean(cost));
    }
    out += "\n";
  }
}

void plans_section(std::string& out, const comparison_summary& summary) {
  out += "## Plans\n\n";
  for (const auto& p : summary.pipelines) {
    const auto& runs = p.pipeline->runs;
    const run_record* shown = !p.finished.empty() ? p.finished.front()
                              : runs.empty()       ? nullptr
                                                   : &runs.front();
    out += fmt::format("<details><summary>{}: <code>{}</code></summary>\n\n",
                       experiment::escape_xml(p.pipeline->label),
                       experiment::escape_xml(p.pipeline->text));
    if (shown) {
      auto text = shown->plan_text;
      if (!text.empty() && text.back() != '\n') text += '\n';
      const auto fence = code_fence_for(text);
      out += fmt::format("{}text\n{}{}\n", fence, text, fence);
    } else {
      out += "No run.\n";
    }
    out += "\n</details>\n\n";
  }
}

std::vector<experiment::curve_series> series_of(const comparison_record& comparison,
                                                const comparison_summary& summary, bool balanced) {
  std::vector<experiment::curve_series> series;
  for (const auto& p : summary.pipelines) {
    series.push_back({p.pipeline->label, balanced ? p.mean_balanced : p.mean_accuracy,
                      p.pipeline->label == comparison.baseline});
  }
  return series;
}

}  // namespace

std::string render_report(const comparison_record& comparison) {
  const auto summary = experiment::summarize_comparison(comparison);
  std::vector<std::string> labels;
  for (const auto& p : comparison.pipelines) labels.push_back(p.label);
  std::string out = fmt::format("# Comparison: {}\n\n", fmt::join(labels, ", "));
  out += "`alpipe report DIR` (DIR: this folder) regenerates this file and its plots from the "
         "results alone, byte for byte.\n\n";
  protocol_section(out, comparison, summary);
  runs_section(out, summary);
  aubc_section(out, comparison, summary);
  verdict_section(out, comparison, summary);
  curves_section(out, summary);
  penalty_section(out, summary);
  stopping_section(out, summary);
  plans_section(out, summary);
  return out;
}

std::filesystem::path write_report(const std::filesystem::path& folder) {
  const auto comparison = read_comparison(folder);
  const auto summary = experiment::summarize_comparison(comparison);
  // The plots first: report.md links them.
  oracle_detail::write_file_atomically(
      folder / "curves.svg",
      experiment::curves_svg(series_of(comparison, summary, false),
                             "Test accuracy, mean ± 1 std over seeds", "test accuracy (%)"));
  if (summary.long_tailed) {
    oracle_detail::write_file_atomically(
        folder / "balanced-curves.svg",
        experiment::curves_svg(series_of(comparison, summary, true),
                               "Balanced accuracy, mean ± 1 std over seeds",
                               "balanced accuracy (%)"));
  }
  const auto report = folder / "report.md";
  oracle_detail::write_file_atomically(report, render_report(comparison));
  return report;
}

}  // namespace al
