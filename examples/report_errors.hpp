#pragma once
// A lesson whose run refuses its input (no data set, a results folder that
// holds another run, a bad option) ends with the library's message and exit
// status 1, as `alpipe` does, instead of std::terminate's abort.

#include <fmt/format.h>

#include <cstdio>
#include <exception>

namespace lessons {

template <class Lesson>
int report_errors(Lesson&& lesson, int argc, char** argv) {
  try {
    return lesson(argc, argv);
  } catch (const std::exception& error) {
    fmt::print(stderr, "{}: {}\n", argc > 0 ? argv[0] : "lesson", error.what());
    return 1;
  }
}

}  // namespace lessons
