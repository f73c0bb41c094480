#pragma once
// Who answers a run's queries (config.oracle): the data set's labels, a
// noisy copy of them, or a person through the query folder and an imported
// label file. All three answer through `answer`, so the run records and
// trains on their answers the same way.

#include <al/config.hpp>
#include <al/engine/dataset.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace al::engine {

class oracle {
 public:
  /// `data`'s training split is the pool; `run_folder` is where a person's
  /// queries and answers live.
  oracle(const oracle_config& settings, const dataset& data, std::uint64_t seed,
         std::filesystem::path run_folder);

  /// The classes of `picks`, in order. A person who has not answered this
  /// cycle's query yet gets it written out (query_folder(run, cycle)) and
  /// the answer is nullopt: the run stops there, and `waiting_for()` names
  /// the label file to fill in.
  std::optional<std::vector<std::int64_t>> answer(const std::vector<std::int64_t>& picks, int cycle);

  [[nodiscard]] const std::filesystem::path& waiting_for() const { return waiting_for_; }

 private:
  std::vector<std::int64_t> true_classes(const std::vector<std::int64_t>& picks) const;
  std::vector<std::int64_t> flip(std::vector<std::int64_t> classes, int cycle) const;
  std::optional<std::vector<std::int64_t>> ask_person(const std::vector<std::int64_t>& picks,
                                                      int cycle);

  oracle_config settings_;
  const dataset& data_;
  std::uint64_t seed_;
  std::filesystem::path run_folder_;
  std::filesystem::path waiting_for_;
};

}  // namespace al::engine
