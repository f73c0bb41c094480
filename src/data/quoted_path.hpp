#pragma once
// How the data loaders' messages name a file: in single quotes.

#include <filesystem>
#include <string>

namespace al::engine::detail {

// Built by appending: GCC 12 misreads "'" + string as an oversized memcpy
// (-Wstringop-overflow, a known false positive).
inline std::string quoted(const std::filesystem::path& file) {
  std::string text = "'";
  text += file.string();
  text += '\'';
  return text;
}

}  // namespace al::engine::detail
