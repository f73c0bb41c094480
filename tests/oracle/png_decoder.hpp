#pragma once
// An independent PNG decoder for the tests, just enough for what the encoder
// writes: the chunks parsed by hand, every CRC recomputed with zlib's crc32,
// the image data inflated with zlib's uncompress and unfiltered (type 0).

#include <catch2/catch.hpp>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace al::test {

struct decoded_png {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bit_depth = 0;
  int colour_type = 0;
  std::vector<std::string> chunk_types;
  std::vector<std::uint8_t> pixels;  // rows without their filter byte
};

inline std::uint32_t read_u32(const std::string& bytes, std::size_t at) {
  REQUIRE(at + 4 <= bytes.size());
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}

inline decoded_png decode_png(const std::string& bytes) {
  decoded_png png;
  REQUIRE(bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  std::string image_data;
  int interlace = -1;
  std::size_t at = 8;
  while (at < bytes.size()) {
    const auto length = read_u32(bytes, at);
    REQUIRE(at + 12 + length <= bytes.size());
    const auto type = bytes.substr(at + 4, 4);
    const auto data = bytes.substr(at + 8, length);
    const auto stored_crc = read_u32(bytes, at + 8 + length);
    const auto* covered = reinterpret_cast<const Bytef*>(bytes.data() + at + 4);
    INFO("chunk " << type);
    CHECK(stored_crc == ::crc32(::crc32(0L, Z_NULL, 0), covered, length + 4));
    png.chunk_types.push_back(type);
    if (type == "IHDR") {
      REQUIRE(length == 13);
      png.width = read_u32(data, 0);
      png.height = read_u32(data, 4);
      png.bit_depth = static_cast<std::uint8_t>(data[8]);
      png.colour_type = static_cast<std::uint8_t>(data[9]);
      CHECK(data[10] == 0);  // deflate
      CHECK(data[11] == 0);  // adaptive filtering
      interlace = static_cast<std::uint8_t>(data[12]);
    } else if (type == "IDAT") {
      image_data += data;
    } else if (type == "IEND") {
      CHECK(length == 0);
    }
    at += 12 + length;
  }
  CHECK(at == bytes.size());
  CHECK(interlace == 0);
  REQUIRE(png.bit_depth == 8);
  REQUIRE((png.colour_type == 0 || png.colour_type == 2));

  const std::size_t channels = png.colour_type == 0 ? 1 : 3;
  const std::size_t row_bytes = png.width * channels;
  std::vector<std::uint8_t> filtered(png.height * (row_bytes + 1));
  auto filtered_size = static_cast<uLongf>(filtered.size());
  REQUIRE(::uncompress(filtered.data(), &filtered_size,
                       reinterpret_cast<const Bytef*>(image_data.data()),
                       static_cast<uLong>(image_data.size())) == Z_OK);
  REQUIRE(filtered_size == filtered.size());
  for (std::size_t y = 0; y < png.height; ++y) {
    const auto* row = filtered.data() + y * (row_bytes + 1);
    CHECK(row[0] == 0);  // filter type none: the bytes below are the pixels
    png.pixels.insert(png.pixels.end(), row + 1, row + 1 + row_bytes);
  }
  return png;
}

}  // namespace al::test
