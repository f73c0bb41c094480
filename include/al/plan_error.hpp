#pragma once
#include <stdexcept>

namespace al {

/// A pipeline that cannot become a plan (e.g. two initial sets, a query of
/// size 0). The message says what was written and how to fix it.
struct plan_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace al
