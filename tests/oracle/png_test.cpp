// The PNG encoder, checked by an independent decoder: libpng reads each file
// (signature, chunk CRCs, the compressed stream), then the pixels are
// compared with what went in.

#include <al/oracle/png.hpp>

#include "png_decoder.hpp"
#include "scratch_folder.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using al::test::decode_png;

std::vector<std::uint8_t> pattern(std::size_t size, unsigned seed) {
  std::vector<std::uint8_t> pixels(size);
  for (std::size_t i = 0; i < size; ++i)
    pixels[i] = static_cast<std::uint8_t>((i * 37 + seed * 11 + (i / 7) * (i % 5)) & 0xff);
  return pixels;
}

}  // namespace

TEST_CASE("a grey PNG decodes to the same pixels", "[oracle][png]") {
  const int width = 5;
  const int height = 3;
  const auto pixels = pattern(width * height, 1);
  const auto png = decode_png(al::encode_png(width, height, 1, pixels.data()));
  CHECK(png.chunk_types == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
  CHECK(png.width == 5);
  CHECK(png.height == 3);
  CHECK(png.colour_type == 0);
  CHECK(png.pixels == pixels);
}

TEST_CASE("an RGB PNG keeps the channels interleaved", "[oracle][png]") {
  const int width = 4;
  const int height = 2;
  // Each pixel's channels differ, so a channel order or row mix-up shows.
  std::vector<std::uint8_t> pixels;
  for (int i = 0; i < width * height; ++i)
    pixels.insert(pixels.end(), {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(100 + i),
                                 static_cast<std::uint8_t>(200 + i)});
  const auto png = decode_png(al::encode_png(width, height, 3, pixels.data()));
  CHECK(png.colour_type == 2);
  CHECK(png.width == 4);
  CHECK(png.height == 2);
  CHECK(png.pixels == pixels);
}

TEST_CASE("PNGs of other sizes decode to the same pixels", "[oracle][png]") {
  SECTION("one pixel") {
    const std::vector<std::uint8_t> pixel = {77};
    CHECK(decode_png(al::encode_png(1, 1, 1, pixel.data())).pixels == pixel);
  }
  SECTION("a 28x28 Fashion-MNIST-sized grey image") {
    const auto pixels = pattern(28 * 28, 2);
    CHECK(decode_png(al::encode_png(28, 28, 1, pixels.data())).pixels == pixels);
  }
  SECTION("a wide RGB image") {
    const auto pixels = pattern(97 * 13 * 3, 3);
    const auto png = decode_png(al::encode_png(97, 13, 3, pixels.data()));
    CHECK(png.width == 97);
    CHECK(png.pixels == pixels);
  }
}

TEST_CASE("write_png writes the encoded bytes whole, without a temporary left behind",
          "[oracle][png]") {
  al::test::scratch_folder folder;
  const auto pixels = pattern(6 * 4 * 3, 4);
  const auto file = folder.path() / "12.png";
  folder.write("12.png", "an older file that the new image replaces");
  al::write_png(file, 6, 4, 3, pixels.data());
  CHECK(al::test::read_bytes(file) == al::encode_png(6, 4, 3, pixels.data()));
  CHECK(decode_png(al::test::read_bytes(file)).pixels == pixels);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder.path()))
    names.push_back(entry.path().filename().string());
  CHECK(names == std::vector<std::string>{"12.png"});
}

TEST_CASE("a PNG that cannot be made says why", "[oracle][png]") {
  const std::vector<std::uint8_t> pixels(16, 0);
  CHECK_THROWS_WITH(al::encode_png(2, 2, 2, pixels.data()),
                    Catch::Contains("2 channels; give 1 (grey) or 3 (RGB, interleaved)"));
  CHECK_THROWS_WITH(al::encode_png(0, 2, 1, pixels.data()),
                    Catch::Contains("the image is 0x2; give a width and a height of at least 1"));
  CHECK_THROWS_AS(al::encode_png(2, 2, 1, nullptr), std::invalid_argument);
  al::test::scratch_folder folder;
  CHECK_THROWS_WITH(al::write_png(folder.path() / "missing" / "1.png", 2, 2, 1, pixels.data()),
                    Catch::Contains("cannot create") && Catch::Contains("check that the folder "
                                                                        "exists"));
}
