#pragma once
// Shows a labelled sample as {index, label} in a failed check, instead of {?}.

#include <al/oracle/label_file.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace Catch {
template <>
struct StringMaker<al::labelled_sample> {
  static std::string convert(const al::labelled_sample& sample) {
    return fmt::format("{{{}, {}}}", sample.index, sample.label);
  }
};
}  // namespace Catch
