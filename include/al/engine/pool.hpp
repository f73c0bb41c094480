#pragma once
// The pool's labelling state: which samples are labelled, in which cycle and
// by which step. Plain bookkeeping (no LibTorch) so that it is cheap to test
// and to record.

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/iota.hpp>

namespace al::engine {

class pool_state {
 public:
  explicit pool_state(std::int64_t size) : cycle_of_(static_cast<std::size_t>(size), -1) {}

  [[nodiscard]] std::int64_t size() const { return static_cast<std::int64_t>(cycle_of_.size()); }
  [[nodiscard]] std::int64_t labelled_count() const {
    return static_cast<std::int64_t>(labelled_.size());
  }
  [[nodiscard]] bool is_labelled(std::int64_t index) const { return cycle_of_.at(index) >= 0; }
  /// The cycle that labelled `index`, or -1.
  [[nodiscard]] int labelled_in_cycle(std::int64_t index) const { return cycle_of_.at(index); }
  /// The step that labelled `index` ("initial: random", "query: entropy"), or "".
  [[nodiscard]] const std::string& labelled_by(std::int64_t index) const {
    static const std::string none;
    const int c = cycle_of_.at(index);
    return c < 0 ? none : step_of_cycle_.at(static_cast<std::size_t>(c));
  }

  /// Labelled indices in the order they were labelled.
  [[nodiscard]] const std::vector<std::int64_t>& labelled() const { return labelled_; }

  /// Unlabelled indices, ascending.
  [[nodiscard]] std::vector<std::int64_t> unlabelled() const {
    return ranges::views::iota(std::int64_t{0}, size()) |
           ranges::views::filter([this](std::int64_t i) { return !is_labelled(i); }) |
           ranges::to<std::vector>();
  }

  /// Marks `indices` labelled by `step` in `cycle`. An index outside the
  /// pool or already labelled is a bug in a selector: refuse it whole.
  void label(const std::vector<std::int64_t>& indices, int cycle, std::string step) {
    for (const auto i : indices) {
      if (i < 0 || i >= size()) {
        throw std::out_of_range(fmt::format("{} chose index {}, outside the pool of {}", step, i, size()));
      }
      if (cycle_of_[static_cast<std::size_t>(i)] >= 0) {
        throw std::logic_error(fmt::format("{} chose index {}, which is already labelled", step, i));
      }
    }
    auto sorted = indices;
    std::sort(sorted.begin(), sorted.end());
    if (auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end()) {
      throw std::logic_error(fmt::format("{} chose index {} twice", step, *twice));
    }
    if (step_of_cycle_.size() <= static_cast<std::size_t>(cycle)) {
      step_of_cycle_.resize(static_cast<std::size_t>(cycle) + 1);
    }
    step_of_cycle_[static_cast<std::size_t>(cycle)] = std::move(step);
    for (auto i : indices) {
      cycle_of_[static_cast<std::size_t>(i)] = cycle;
      labelled_.push_back(i);
    }
  }

 private:
  std::vector<int> cycle_of_;
  std::vector<std::int64_t> labelled_;
  std::vector<std::string> step_of_cycle_;
};

}  // namespace al::engine
