// The query folder a person works in: its files, their content, and the
// round trip that matters — the template, once filled in, is accepted by
// read_label_file.

#include <al/oracle/label_file.hpp>
#include <al/oracle/query_export.hpp>

#include "png_decoder.hpp"
#include "print_labelled_sample.hpp"
#include "scratch_folder.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <sstream>

using al::test::read_bytes;
using Catch::Contains;

namespace {

const std::vector<std::string> fashion_names = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                                "Bag",         "Ankle boot"};

// Three 4x3 images whose pixels tell which image they are.
al::query_images three_images(int channels) {
  al::query_images query{.cycle = 3,
                         .indices = {12, 7, 40},
                         .pixels = {},
                         .height = 3,
                         .width = 4,
                         .channels = channels,
                         .class_count = 10,
                         .class_names = fashion_names,
                         .predicted = {}};
  const int image_bytes = 3 * 4 * channels;
  for (int image = 0; image < 3; ++image)
    for (int i = 0; i < image_bytes; ++i)
      query.pixels.push_back(static_cast<std::uint8_t>(image * 80 + i));
  return query;
}

std::set<std::string> files_under(const std::filesystem::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
    if (entry.is_regular_file())
      names.insert(std::filesystem::relative(entry.path(), folder).generic_string());
  return names;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("the query folder holds the template, the images, the predictions and a README",
          "[oracle][query_export]") {
  al::test::scratch_folder scratch;
  const auto folder = scratch.path() / "query-cycle-3";
  auto query = three_images(1);
  query.predicted = {4, 0, 8};
  const auto template_file = al::write_query_folder(folder, query);

  CHECK(template_file == folder / "query.csv");
  CHECK(files_under(folder) == std::set<std::string>{"README.txt", "images/12.png",
                                                     "images/40.png", "images/7.png",
                                                     "predictions.csv", "query.csv"});
  CHECK(read_bytes(template_file) == "index,label\n12,\n7,\n40,\n");
  CHECK(read_bytes(folder / "predictions.csv") ==
        "index,predicted\n12,Coat\n7,T-shirt/top\n40,Bag\n");

  SECTION("each image is the one of its index") {
    for (std::size_t image = 0; image < 3; ++image) {
      const auto png = al::test::decode_png(
          read_bytes(folder / "images" / (std::to_string(query.indices[image]) + ".png")));
      CHECK(png.width == 4);
      CHECK(png.height == 3);
      CHECK(png.colour_type == 0);
      const auto first = query.pixels.begin() + static_cast<std::ptrdiff_t>(image * 12);
      CHECK(png.pixels == std::vector<std::uint8_t>(first, first + 12));
    }
  }
  SECTION("the README says what to do in 5 to 10 lines") {
    const auto readme = read_bytes(folder / "README.txt");
    const auto lines = lines_of(readme);
    CHECK(lines.size() >= 5);
    CHECK(lines.size() <= 10);
    CHECK_THAT(readme, Contains("Cycle 3 asks you to label 3 images"));
    CHECK_THAT(readme, Contains("fill the label column"));
    CHECK_THAT(readme, Contains("0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, "
                                "5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot"));
    CHECK_THAT(readme, Contains("predictions.csv"));
    CHECK_THAT(readme, Contains("alpipe label import " +
                                std::filesystem::absolute(template_file).string() + "\n"));
  }
}

TEST_CASE("the filled-in template is what read_label_file accepts", "[oracle][query_export]") {
  al::test::scratch_folder scratch;
  const auto query = three_images(3);
  const auto template_file = al::write_query_folder(scratch.path() / "q", query);
  const al::label_request request{.cycle = 3,
                                  .query_indices = query.indices,
                                  .pool_size = 60000,
                                  .class_count = 10,
                                  .class_names = fashion_names};

  // Untouched, the template is well formed but unfinished.
  REQUIRE_THROWS_WITH(al::read_label_file(template_file, request),
                      Contains("query.csv:2: index 12 has no label; 3 of 3 rows are still "
                               "unlabelled (indices 12, 7, 40)"));

  // What a person does: append a label to each row, by number or by name.
  auto filled = read_bytes(template_file);
  filled.replace(filled.find("12,\n"), 4, "12,Coat\n");
  filled.replace(filled.find("7,\n"), 3, "7,0\n");
  filled.replace(filled.find("40,\n"), 4, "40,Ankle boot\n");
  scratch.write("q/query.csv", filled);
  CHECK(al::read_label_file(template_file, request) ==
        std::vector<al::labelled_sample>{{12, 4}, {7, 0}, {40, 9}});
}

TEST_CASE("a query without class names or predictions", "[oracle][query_export]") {
  al::test::scratch_folder scratch;
  auto query = three_images(3);
  query.class_names.clear();
  const auto folder = scratch.path() / "a folder with spaces";
  al::write_query_folder(folder, query);
  CHECK_FALSE(std::filesystem::exists(folder / "predictions.csv"));
  const auto readme = read_bytes(folder / "README.txt");
  CHECK_THAT(readme, Contains("A label is a class number from 0 to 9."));
  CHECK_THAT(readme, !Contains("predictions.csv"));
  // Quoted so that the command can be pasted into a shell as it is.
  CHECK_THAT(readme, Contains("alpipe label import '" +
                              std::filesystem::absolute(folder / "query.csv").string() + "'"));
  CHECK(al::test::decode_png(read_bytes(folder / "images" / "40.png")).colour_type == 2);
}

TEST_CASE("an export never writes over labels a person filled in", "[oracle][query_export]") {
  al::test::scratch_folder scratch;
  const auto folder = scratch.path() / "q";
  const auto query = three_images(1);
  const auto template_file = al::write_query_folder(folder, query);

  SECTION("an untouched template is written again") {
    CHECK_NOTHROW(al::write_query_folder(folder, query));
    CHECK(read_bytes(template_file) == "index,label\n12,\n7,\n40,\n");
  }
  SECTION("a started one is kept") {
    scratch.write("q/query.csv", "index,label\n12,\n7,Coat\n40,\n");
    CHECK_THROWS_WITH(al::write_query_folder(folder, query),
                      Contains("query.csv already holds labels that a person filled in; import "
                               "them with `alpipe label import"));
    CHECK(read_bytes(template_file) == "index,label\n12,\n7,Coat\n40,\n");
  }
}

TEST_CASE("an inconsistent query is refused before any file is written",
          "[oracle][query_export]") {
  al::test::scratch_folder scratch;
  const auto folder = scratch.path() / "q";
  auto query = three_images(1);
  SECTION("too few pixels") {
    query.pixels.pop_back();
    CHECK_THROWS_WITH(al::write_query_folder(folder, query),
                      Contains("35 pixel bytes for 3 images of 3x4x1; give 36 bytes"));
  }
  SECTION("a prediction per image or none") {
    query.predicted = {1};
    CHECK_THROWS_WITH(al::write_query_folder(folder, query),
                      Contains("1 predictions for 3 images; give one per image or none"));
  }
  SECTION("a predicted class outside the classes") {
    query.predicted = {1, 10, 2};
    CHECK_THROWS_WITH(al::write_query_folder(folder, query),
                      Contains("predicted class 10 lies outside 0 to 9"));
  }
  SECTION("a name per class or none") {
    query.class_names.pop_back();
    CHECK_THROWS_WITH(al::write_query_folder(folder, query),
                      Contains("9 class names for 10 classes"));
  }
  SECTION("two channels") {
    query.channels = 2;
    CHECK_THROWS_WITH(al::write_query_folder(folder, query),
                      Contains("2 channels; give 1 (grey) or 3"));
  }
  CHECK_FALSE(std::filesystem::exists(folder));
}
