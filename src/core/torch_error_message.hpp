#pragma once
// The message of an exception as a person should read it.

#include <c10/util/Exception.h>

#include <exception>
#include <string>

namespace al::engine {

/// `e.what()`, except for LibTorch's errors, whose what() carries a stack
/// trace of the library's own frames that says nothing to the reader.
inline std::string torch_error_message(const std::exception& e) {
  if (const auto* error = dynamic_cast<const c10::Error*>(&e)) return error->what_without_backtrace();
  return e.what();
}

}  // namespace al::engine
