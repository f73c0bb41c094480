#pragma once
// Writing a file whole or not at all: a person may open the query folder at
// any moment, a report may be read while it is rewritten, and a crash must
// not leave half a PNG, a template, a result or a checkpoint. Shared by the
// oracle, experiment and engine libraries (the engine and the experiment
// layer link alpipe_oracle).

#include <filesystem>
#include <string_view>

namespace al::oracle_detail {

/// Writes `content` to a temporary file next to `target` (same folder, so
/// the rename cannot cross file systems), flushes it to disk, renames it
/// over `target` and flushes the folder, so that the new file survives a
/// power cut once this returns. Throws std::runtime_error naming the file
/// and the fix.
void write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace al::oracle_detail
