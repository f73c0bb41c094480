#pragma once
// al::run — executes a pipeline on the engine.
//
// Declared here without LibTorch; defined in the compiled engine
// (link alpipe::alpipe).

#include <al/config.hpp>
#include <al/pipeline.hpp>
#include <al/plan.hpp>
#include <al/report.hpp>

namespace al {

/// Runs an expanded plan: label the initial set, then per cycle train,
/// evaluate, score, select, label. Results are written to
/// `config.results_dir / run_name` as each cycle ends.
run_report run_plan(const plan& p, const config& c);

/// Runs a typed pipeline: `auto report = al::run(p, config);`
template <pipeable P>
run_report run(const P& p, const config& c) {
  return run_plan(lower(p), c);
}

}  // namespace al
