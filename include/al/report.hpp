#pragma once
// What a run returns: one record per cycle, as also written to its results
// folder (cycles.jsonl). Plain data, no LibTorch.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace al {

/// Seconds spent in each phase of a cycle.
struct cycle_timings {
  double train = 0;
  double score = 0;
  double select = 0;
  double evaluate = 0;
};

/// The state after one cycle (cycle 0: after the initial set).
struct cycle_result {
  int cycle = 0;
  std::int64_t labelled = 0;  // labelled samples the model was trained on
  double accuracy = 0;        // on the test split
  std::vector<double> per_class_accuracy;
  /// Mean of the per-class recalls on the test split (the classes present
  /// there): what accuracy hides on imbalanced data.
  double balanced_accuracy = 0;
  /// True classes of the samples labelled in this cycle (the query, or the
  /// initial set in cycle 0), counted per class.
  std::vector<std::int64_t> query_class_histogram;
  /// Pool indices labelled in this cycle, in selection order.
  std::vector<std::int64_t> queried;
  /// The oracle's answer for each of `queried`: the class the model trains
  /// on (the true class unless the oracle is noisy or a person).
  std::vector<std::int64_t> labels;
  cycle_timings seconds;
  /// Cohen's kappa between this cycle's predictions and the previous
  /// cycle's on the run's stop set (al/stopping_rule.hpp): how much the
  /// model still changes. Absent in cycle 0.
  std::optional<double> agreement;
};

/// The pretraining a run started with (when its plan has one).
struct pretraining_record {
  std::string pretext;             // "simsiam" or "rotation"
  bool from_cache = false;         // loaded instead of trained
  std::filesystem::path cache_file;  // empty when the cache is off
  double seconds = 0;              // training, or loading from the cache
  std::int64_t steps = 0;          // optimiser steps (0 when from the cache)
  double final_loss = 0;           // mean loss of the last epoch (trained only)
};

struct run_report {
  std::filesystem::path folder;  // where the results were written
  std::string device;            // where it ran: "cpu" or "cuda"
  std::optional<pretraining_record> pretraining;
  /// Every finished cycle: the ones this call ran, after those an earlier,
  /// interrupted call had finished (see resumed_after).
  std::vector<cycle_result> cycles;
  /// The last cycle found finished in the results folder when the run
  /// started (it resumed after it), or -1 for a fresh run.
  int resumed_after = -1;
  /// With a person as the oracle: the label file of the query the run
  /// stopped at, to fill in and import (`alpipe label import FILE`); empty
  /// when the run finished.
  std::filesystem::path waiting_for_labels;
  /// This process's rank in a data-parallel job, 0 when it ran alone. Rank
  /// 0 wrote the results folder and its report is the run's; in another
  /// rank's, the cycles resumed from an earlier call hold only their picks
  /// and labels.
  int rank = 0;
  /// The stopping rule that ended the run before its plan's last cycle, and
  /// the cycle after which it did; empty and -1 when it ran every cycle.
  std::string stopped_by;
  int stopped_after = -1;
};

}  // namespace al
