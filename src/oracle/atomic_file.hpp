#pragma once
// Writing a file whole or not at all: a person may open the query folder at
// any moment, and a crash must not leave half a PNG or half a template.

#include <filesystem>
#include <string_view>

namespace al::oracle_detail {

/// Writes `content` to a temporary file next to `target` (same folder, so
/// the rename cannot cross file systems), flushes it to disk and renames it
/// over `target`. Throws std::runtime_error naming the file and the fix.
void write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace al::oracle_detail
