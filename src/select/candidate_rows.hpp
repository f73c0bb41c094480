#pragma once
// Small helpers every selection source shares: candidate rows (positions in
// the scoring pass's outputs) to tensors and back, and the check that the
// pass filled what a word needs.

#include <al/engine/selection.hpp>
#include <al/engine/set_selection.hpp>

#include <fmt/format.h>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/transform.hpp>

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace al::engine::detail {

/// Whether `rows` is 0, 1, …, n − 1: every row of a tensor of n rows, in order.
inline bool every_row_in_order(const std::vector<std::int64_t>& rows, std::int64_t n) {
  if (static_cast<std::int64_t>(rows.size()) != n) return false;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] != static_cast<std::int64_t>(i)) return false;
  }
  return true;
}

/// `t`'s rows `rows`, on `t`'s device. Every row in order is `t` itself, not
/// a copy: a run's first selection sees the whole pool, and at ImageNet size
/// a copy of its probabilities and features is gigabytes.
inline torch::Tensor rows_of(const torch::Tensor& t, const std::vector<std::int64_t>& rows) {
  if (every_row_in_order(rows, t.size(0))) return t;
  return t.index_select(0, torch::tensor(rows, torch::kLong).to(t.device()));
}

/// A tensor of indices (any integer type, any device) as a vector.
inline std::vector<std::int64_t> to_vector(const torch::Tensor& t) {
  const auto cpu = t.to(torch::kCPU, torch::kLong).contiguous();
  return {cpu.data_ptr<std::int64_t>(), cpu.data_ptr<std::int64_t>() + cpu.numel()};
}

/// Positions in a subset of `rows` back to the rows themselves.
inline std::vector<std::int64_t> to_rows(const std::vector<std::int64_t>& positions,
                                         const std::vector<std::int64_t>& rows) {
  return positions |
         ranges::views::transform([&](std::int64_t p) { return rows[static_cast<std::size_t>(p)]; }) |
         ranges::to<std::vector>();
}

/// Whether a set selector whose inputs are on `device` takes its tensor
/// code: always off the CPU (the outputs stay where the scoring pass left
/// them), and on the CPU when asked for (tests, benchmarks).
inline bool on_tensor_path(const torch::Device& device, selection_path path) {
  return path == selection_path::tensor || !device.is_cpu();
}

/// `t`, or a logic error naming the word and the output the pass left out
/// (a plan whose needs did not list it: a bug, not a user's mistake).
inline const torch::Tensor& required(const torch::Tensor& t, std::string_view what,
                                     std::string_view word) {
  if (!t.defined()) {
    throw std::logic_error(fmt::format("{}: the scoring pass gave no {}", word, what));
  }
  return t;
}

}  // namespace al::engine::detail
