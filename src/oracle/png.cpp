// PNG (ISO/IEC 15948): signature, IHDR, one IDAT holding the zlib stream of
// the filtered rows, IEND; every chunk is length, type, data, CRC-32 of type
// and data. Filter 0 (none) on every row: the images are small and a viewer
// reads them all the same.

#include <al/oracle/png.hpp>

#include "atomic_file.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace al {
namespace {

void append_u32(std::string& out, std::uint32_t value) {  // PNG is big-endian
  out.push_back(static_cast<char>((value >> 24) & 0xff));
  out.push_back(static_cast<char>((value >> 16) & 0xff));
  out.push_back(static_cast<char>((value >> 8) & 0xff));
  out.push_back(static_cast<char>(value & 0xff));
}

void append_chunk(std::string& out, std::string_view type, std::string_view data) {
  append_u32(out, static_cast<std::uint32_t>(data.size()));
  const auto type_start = out.size();
  out.append(type);
  out.append(data);
  // The CRC covers the type and the data, not the length.
  const auto* covered = reinterpret_cast<const Bytef*>(out.data() + type_start);
  const auto crc = ::crc32(::crc32(0L, Z_NULL, 0), covered,
                           static_cast<uInt>(out.size() - type_start));
  append_u32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::string encode_png(int width, int height, int channels, const std::uint8_t* pixels) {
  if (width <= 0 || height <= 0)
    throw std::invalid_argument(
        fmt::format("encode_png: the image is {}x{}; give a width and a height of at least 1",
                    width, height));
  if (channels != 1 && channels != 3)
    throw std::invalid_argument(fmt::format(
        "encode_png: {} channels; give 1 (grey) or 3 (RGB, interleaved)", channels));
  if (pixels == nullptr)
    throw std::invalid_argument("encode_png: no pixels (a null pointer); pass the image's bytes");

  const auto row_bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  std::vector<std::uint8_t> filtered;
  filtered.reserve(static_cast<std::size_t>(height) * (row_bytes + 1));
  for (int y = 0; y < height; ++y) {
    filtered.push_back(0);  // filter type 0: the row as it is
    const auto* row = pixels + static_cast<std::size_t>(y) * row_bytes;
    filtered.insert(filtered.end(), row, row + row_bytes);
  }
  if (filtered.size() > std::numeric_limits<uLong>::max() / 2)
    throw std::invalid_argument(
        fmt::format("encode_png: a {}x{} image is too large; split it", width, height));

  std::string compressed(::compressBound(static_cast<uLong>(filtered.size())), '\0');
  auto compressed_size = static_cast<uLongf>(compressed.size());
  const int status = ::compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
                                 filtered.data(), static_cast<uLong>(filtered.size()),
                                 Z_DEFAULT_COMPRESSION);
  if (status != Z_OK)
    throw std::runtime_error(fmt::format("encode_png: zlib compress2 failed ({})", status));
  compressed.resize(compressed_size);

  std::string header;
  append_u32(header, static_cast<std::uint32_t>(width));
  append_u32(header, static_cast<std::uint32_t>(height));
  header.push_back(8);                                 // bits per channel
  header.push_back(static_cast<char>(channels == 1 ? 0 : 2));  // colour type: grey or RGB
  header.push_back(0);                                 // compression: deflate
  header.push_back(0);                                 // filter method: adaptive (type per row)
  header.push_back(0);                                 // no interlace

  std::string png("\x89PNG\r\n\x1a\n", 8);
  append_chunk(png, "IHDR", header);
  append_chunk(png, "IDAT", compressed);
  append_chunk(png, "IEND", {});
  return png;
}

void write_png(const std::filesystem::path& file, int width, int height, int channels,
               const std::uint8_t* pixels) {
  oracle_detail::write_file_atomically(file, encode_png(width, height, channels, pixels));
}

}  // namespace al
