#pragma once
// Writing a file so a reader sees the old or the new content, never half:
// a temporary file in the same folder (so rename stays on one file system),
// flushed and synced, then renamed over the target.

#include <filesystem>
#include <string_view>

namespace al::experiment {

void write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace al::experiment
