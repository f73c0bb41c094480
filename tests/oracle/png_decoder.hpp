#pragma once
// The PNG files the encoder writes, read back by libpng — a decoder written
// by other hands — for the tests. libpng checks the signature, every chunk's
// CRC and the compressed stream; its simplified API hands back the pixels.

#include <catch2/catch.hpp>
#include <png.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace al::test {

struct decoded_png {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bit_depth = 0;
  int colour_type = 0;                 // 0: grey, 2: RGB (the file's own type)
  std::vector<std::string> chunk_types;
  std::vector<std::uint8_t> pixels;    // rows, one byte per channel
};

inline std::uint32_t read_u32(const std::string& bytes, std::size_t at) {
  REQUIRE(at + 4 <= bytes.size());
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}

/// The chunk types in file order (libpng's simplified API does not list
/// them): the length fields are walked, nothing else is interpreted.
inline std::vector<std::string> chunk_types_of(const std::string& bytes) {
  std::vector<std::string> types;
  for (std::size_t at = 8; at < bytes.size();) {
    const auto length = read_u32(bytes, at);
    REQUIRE(at + 12 + length <= bytes.size());
    types.push_back(bytes.substr(at + 4, 4));
    at += 12 + length;
  }
  return types;
}

inline decoded_png decode_png(const std::string& bytes) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) == 0) {
    FAIL("libpng cannot read the file: " << image.message);
  }
  decoded_png png;
  png.width = image.width;
  png.height = image.height;
  png.bit_depth = 8;  // the simplified API reads 8 bits per channel
  // The file's own colour type, from its IHDR (byte 25 of the file).
  REQUIRE(bytes.size() > 25);
  png.colour_type = static_cast<std::uint8_t>(bytes[25]);
  REQUIRE(static_cast<std::uint8_t>(bytes[24]) == 8);  // its bit depth
  image.format = png.colour_type == 0 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  png.pixels.resize(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, png.pixels.data(), 0, nullptr) == 0) {
    FAIL("libpng cannot decode the image: " << image.message);
  }
  png.chunk_types = chunk_types_of(bytes);
  return png;
}

}  // namespace al::test
