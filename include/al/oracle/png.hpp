#pragma once
// A small PNG encoder (8-bit grey or RGB, no interlace) so that a query's
// images open in any image viewer — no image library needed.
//
// Example:
//   std::vector<std::uint8_t> grey(28 * 28, 255);
//   al::write_png("images/12.png", 28, 28, 1, grey.data());

#include <cstdint>
#include <filesystem>
#include <string>

namespace al {

/// The PNG file's bytes. `pixels` holds height rows of width × channels
/// bytes, channels interleaved (RGB RGB …); channels is 1 (grey) or 3 (RGB).
/// Throws std::invalid_argument on a bad size or channel count.
[[nodiscard]] std::string encode_png(int width, int height, int channels,
                                     const std::uint8_t* pixels);

/// encode_png written to `file` atomically (a temporary file in the same
/// folder, flushed, then renamed), so a crash never leaves half an image.
/// Throws std::runtime_error when the file cannot be written.
void write_png(const std::filesystem::path& file, int width, int height, int channels,
               const std::uint8_t* pixels);

}  // namespace al
