// The label file: what a person may write, and the message for every
// mistake they can make. The messages are the interface here — each test
// checks the words that tell the person what to fix.

#include <al/oracle/label_file.hpp>

#include "print_labelled_sample.hpp"
#include "scratch_folder.hpp"
#include "within_deadline.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

using al::label_file_error;
using al::label_request;
using al::labelled_sample;
using al::read_label_file;
using Catch::Contains;

namespace {

const std::vector<std::string> fashion_names = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                                "Bag",         "Ankle boot"};

label_request fashion_request() {
  return {.cycle = 3,
          .query_indices = {12, 7, 40, 3},
          .pool_size = 100,
          .class_count = 10,
          .class_names = fashion_names};
}

label_request numbers_only_request() {
  auto request = fashion_request();
  request.class_names.clear();
  return request;
}

}  // namespace

TEST_CASE("a filled-in label file is read in query order", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const std::vector<labelled_sample> expected = {{12, 4}, {7, 0}, {40, 9}, {3, 1}};

  SECTION("class numbers, rows in another order than the query") {
    const auto file = folder.write("query.csv", "index,label\n3,1\n40,9\n12,4\n7,0\n");
    CHECK(read_label_file(file, fashion_request()) == expected);
    CHECK(read_label_file(file, numbers_only_request()) == expected);
  }
  SECTION("class names, exact and case-sensitive, mixed with numbers") {
    const auto file =
        folder.write("query.csv", "index,label\n12,Coat\n7,T-shirt/top\n40,Ankle boot\n3,1\n");
    CHECK(read_label_file(file, fashion_request()) == expected);
  }
  SECTION("a spreadsheet's CSV: byte order mark, CRLF, spaces, quotes, trailing empty lines") {
    const auto file = folder.write("query.csv",
                                   "\xEF\xBB\xBF index , label \r\n"
                                   " 12 ,\t4\r\n"
                                   "7, \"T-shirt/top\" \r\n"
                                   "\"40\",Ankle boot\r\n"
                                   "3 ,Trouser\r\n"
                                   "\r\n"
                                   "\r\n");
    CHECK(read_label_file(file, fashion_request()) == expected);
  }
  SECTION("no newline after the last row") {
    const auto file = folder.write("query.csv", "index,label\n12,4\n7,0\n40,9\n3,1");
    CHECK(read_label_file(file, fashion_request()) == expected);
  }
  SECTION("an empty query and a header alone") {
    auto request = fashion_request();
    request.query_indices.clear();
    CHECK(read_label_file(folder.write("query.csv", "index,label\n"), request).empty());
  }
}

TEST_CASE("a label file error names the file and the line", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const auto file = folder.write("query.csv", "index,label\n12,4\n7,0\n40,11\n3,1\n");
  try {
    (void)read_label_file(file, fashion_request());
    FAIL("the out-of-range label was accepted");
  } catch (const label_file_error& error) {
    CHECK(error.file() == file);
    CHECK(error.line() == 4);
    CHECK(std::string(error.what()).starts_with(file.string() + ":4: label 11 of index 40"));
  }
}

TEST_CASE("a label file that cannot be read is refused", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  SECTION("no such file") {
    const auto file = folder.path() / "qeury.csv";
    REQUIRE_THROWS_AS(read_label_file(file, fashion_request()), label_file_error);
    REQUIRE_THROWS_WITH(read_label_file(file, fashion_request()),
                        Contains("qeury.csv: no such file; check the path"));
  }
  SECTION("a folder instead of the file") {
    REQUIRE_THROWS_WITH(read_label_file(folder.path(), fashion_request()),
                        Contains("this is a folder, not a label file; give the path of the "
                                 "query.csv inside it"));
  }
  SECTION("a file without read permission") {
    const auto file = folder.write("query.csv", "index,label\n12,4\n7,0\n40,9\n3,1\n");
    std::filesystem::permissions(file, std::filesystem::perms::none);
    if (::geteuid() == 0) {
      WARN("running as root, who may read any file: the permission case cannot be made");
    } else {
      REQUIRE_THROWS_WITH(read_label_file(file, fashion_request()),
                          Contains("query.csv: cannot read the file (Permission denied)"));
    }
  }
  SECTION("an empty file") {
    const auto message = Contains("query.csv: the file is empty; it needs the header "
                                  "'index,label' and one row per query index");
    REQUIRE_THROWS_WITH(read_label_file(folder.write("query.csv", ""), fashion_request()),
                        message);
    REQUIRE_THROWS_WITH(
        read_label_file(folder.write("query.csv", "\xEF\xBB\xBF\r\n  \r\n"), fashion_request()),
        message);
  }
}

TEST_CASE("a wrong header is refused with the expected header", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const auto header_error = [&](std::string_view header) {
    const auto file = folder.write("query.csv", std::string(header) + "\n12,4\n7,0\n40,9\n3,1\n");
    return [file] { (void)read_label_file(file, fashion_request()); };
  };
  const auto expected = Contains("; the first line must be exactly: index,label");

  REQUIRE_THROWS_WITH(header_error("idx,label")(), Contains("query.csv:1: wrong header 'idx,label'"));
  REQUIRE_THROWS_WITH(header_error("idx,label")(), expected);
  REQUIRE_THROWS_WITH(header_error("index,label,note")(),
                      Contains(":1: extra column 'note' in the header; delete every column "
                               "after label"));
  REQUIRE_THROWS_WITH(header_error("index,label,note")(), expected);
  REQUIRE_THROWS_WITH(header_error("index")(),
                      Contains(":1: the header has only the column 'index'; the file needs "
                               "both columns"));
  REQUIRE_THROWS_WITH(header_error("label")(), Contains("only the column 'label'"));
  REQUIRE_THROWS_WITH(header_error("label,index")(),
                      Contains(":1: the columns are in the wrong order (label before index); "
                               "put index first; the first line must be exactly: index,label"));
  REQUIRE_THROWS_WITH(header_error("Index,Label")(),
                      Contains(":1: the header 'Index,Label' must be lower case"));
  REQUIRE_THROWS_WITH(header_error("index;label")(),
                      Contains(":1: the header 'index;label' is not separated by commas; save "
                               "the file as CSV with ',' as the separator"));
  REQUIRE_THROWS_WITH(header_error("12,4")(),
                      Contains(":1: the header is missing ('12,4' looks like a row); add the "
                               "header line above the rows"));
  REQUIRE_THROWS_WITH(header_error("\"index,label")(),
                      Contains(":1: a quoted field has no closing quote"));
}

TEST_CASE("a bad row is refused with its line and the fix", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  // The query is 12, 7, 40, 3; `row` replaces the row of index 40 (line 4).
  const auto row_error = [&](std::string_view row) {
    const auto file =
        folder.write("query.csv", "index,label\n12,4\n7,0\n" + std::string(row) + "\n3,1\n");
    return [file] { (void)read_label_file(file, fashion_request()); };
  };

  SECTION("a wrong number of fields") {
    REQUIRE_THROWS_WITH(row_error("40,9,extra")(),
                        Contains("query.csv:4: the row '40,9,extra' has 3 fields, expected 2 "
                                 "(index,label); write the pool index, one comma and the label"));
    REQUIRE_THROWS_WITH(row_error("40")(), Contains(":4: the row '40' has 1 field, expected 2"));
    REQUIRE_THROWS_WITH(row_error("40;9")(),
                        Contains(":4: the row '40;9' has 1 field, expected 2 (index,label); "
                                 "separate the fields with ',' (not ';' or tab)"));
  }
  SECTION("an index that is not an integer") {
    REQUIRE_THROWS_WITH(row_error("forty,9")(),
                        Contains("query.csv:4: the index 'forty' is not an integer; keep the "
                                 "index column as the template query.csv wrote it"));
    REQUIRE_THROWS_WITH(row_error("40.0,9")(), Contains(":4: the index '40.0' is not an integer"));
    REQUIRE_THROWS_WITH(row_error(",9")(),
                        Contains(":4: the index is empty; every row starts with the pool index"));
  }
  SECTION("an index outside the pool") {
    REQUIRE_THROWS_WITH(row_error("100,9")(),
                        Contains("query.csv:4: unknown index 100: the pool has indices 0 to 99"));
    REQUIRE_THROWS_WITH(row_error("-1,9")(), Contains(":4: unknown index -1: the pool has"));
  }
  SECTION("an index of the pool that this cycle did not ask for") {
    REQUIRE_THROWS_WITH(row_error("41,9")(),
                        Contains("query.csv:4: index 41 is not in cycle 3's query; delete the "
                                 "row or correct the index (the template query.csv lists the 4 "
                                 "indices asked)"));
  }
  SECTION("the same index twice names both lines") {
    REQUIRE_THROWS_WITH(row_error("12,9")(),
                        Contains("query.csv:4: index 12 appears twice, on lines 2 and 4; keep "
                                 "one of the two rows"));
  }
  SECTION("a label out of range") {
    REQUIRE_THROWS_WITH(
        row_error("40,11")(),
        Contains("query.csv:4: label 11 of index 40 is out of range; use a class number from 0 "
                 "to 9 or a class name (0 T-shirt/top, 1 Trouser, 2 Pullover"));
    REQUIRE_THROWS_WITH(row_error("40,10")(),
                        Contains(":4: label 10 of index 40 is out of range (class numbers start "
                                 "at 0); use a class number from 0 to 9"));
    REQUIRE_THROWS_WITH(row_error("40,-1")(),
                        Contains(":4: label -1 of index 40 is out of range"));
  }
  SECTION("an unknown class name suggests the close ones") {
    REQUIRE_THROWS_WITH(row_error("40,T-shirt")(),
                        Contains("query.csv:4: unknown class name 'T-shirt' for index 40; did "
                                 "you mean 'T-shirt/top'? Use a class number from 0 to 9 or a "
                                 "class name (0 T-shirt/top"));
    REQUIRE_THROWS_WITH(row_error("40,T-shirt")(),
                        Contains("9 Ankle boot) (names are exact and case-sensitive)"));
    REQUIRE_THROWS_WITH(row_error("40,shirt")(), Contains("did you mean 'Shirt'? Use"));
    REQUIRE_THROWS_WITH(row_error("40,ankle boot")(),
                        Contains("unknown class name 'ankle boot' for index 40; did you mean "
                                 "'Ankle boot'?"));
    REQUIRE_THROWS_WITH(row_error("40,Sneakers")(),
                        Contains("did you mean 'Sneaker'?"));
    REQUIRE_THROWS_WITH(row_error("40,Horse")(),
                        Contains("unknown class name 'Horse' for index 40; use a class number "
                                 "from 0 to 9 or a class name"));
  }
  SECTION("several close class names") {
    const auto file = folder.write("query.csv", "index,label\n12,0\n7,1\n40,cap\n3,2\n");
    auto request = numbers_only_request();
    request.class_count = 3;
    request.class_names = {"cat", "car", "dog"};
    REQUIRE_THROWS_WITH(read_label_file(file, request),
                        Contains(":4: unknown class name 'cap' for index 40; did you mean 'cat' "
                                 "or 'car'? Use a class number from 0 to 2 or a class name (0 "
                                 "cat, 1 car, 2 dog)"));
  }
  SECTION("a name when the run has no class names") {
    const auto file = folder.write("query.csv", "index,label\n12,4\n7,0\n40,Coat\n3,1\n");
    REQUIRE_THROWS_WITH(read_label_file(file, numbers_only_request()),
                        Contains("query.csv:4: label 'Coat' of index 40 is not a class number; "
                                 "use a class number from 0 to 9 (this run has no class names)"));
  }
  SECTION("a blank line between rows") {
    REQUIRE_THROWS_WITH(row_error("40,9\n")(),
                        Contains("query.csv:5: the line is empty; delete it (blank lines are "
                                 "allowed only at the end)"));
  }
  SECTION("a quoted label without its closing quote") {
    REQUIRE_THROWS_WITH(row_error("40,\"Ankle boot")(),
                        Contains(":4: a quoted field has no closing quote"));
    REQUIRE_THROWS_WITH(row_error("40,\"Ankle\" boot")(),
                        Contains(":4: text after the closing quote of \"Ankle\""));
  }
}

TEST_CASE("unlabelled rows are counted and listed", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  SECTION("a few") {
    const auto file = folder.write("query.csv", "index,label\n12,4\n7,\n40,\n3,1\n");
    REQUIRE_THROWS_WITH(read_label_file(file, fashion_request()),
                        Contains("query.csv:3: index 7 has no label; 2 of 4 rows are still "
                                 "unlabelled (indices 7, 40); fill in a class number from 0 to 9 "
                                 "or a class name"));
  }
  SECTION("many: the first five and how many more") {
    label_request request{
        .cycle = 1, .query_indices = {}, .pool_size = 1000, .class_count = 2, .class_names = {}};
    std::string content = "index,label\n";
    for (int i = 0; i < 20; ++i) {
      request.query_indices.push_back(100 + i);
      content += i < 2 ? fmt::format("{},1\n", 100 + i) : fmt::format("{},\n", 100 + i);
    }
    REQUIRE_THROWS_WITH(read_label_file(folder.write("query.csv", content), request),
                        Contains("query.csv:4: index 102 has no label; 18 of 20 rows are still "
                                 "unlabelled (indices 102, 103, 104, 105, 106 and 13 more); "
                                 "fill in a class number from 0 to 1 for each"));
  }
  SECTION("the untouched template") {
    const auto file = folder.write("query.csv", "index,label\n12,\n7,\n40,\n3,\n");
    REQUIRE_THROWS_WITH(read_label_file(file, fashion_request()),
                        Contains(":2: index 12 has no label; 4 of 4 rows are still unlabelled "
                                 "(indices 12, 7, 40, 3)"));
  }
}

TEST_CASE("query indices without a row are reported after the whole file", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  SECTION("rows deleted") {
    const auto file = folder.write("query.csv", "index,label\n12,4\n3,1\n");
    try {
      (void)read_label_file(file, fashion_request());
      FAIL("a file without the rows of 7 and 40 was accepted");
    } catch (const label_file_error& error) {
      CHECK(error.line() == 0);
      CHECK_THAT(error.what(),
                 Contains("query.csv: 2 of the 4 indices of cycle 3's query have no row "
                          "(indices 7, 40); add a row 'index,label' for each (the template "
                          "query.csv lists them all)"));
    }
  }
  SECTION("one row deleted") {
    const auto file = folder.write("query.csv", "index,label\n12,4\n7,1\n3,1\n");
    REQUIRE_THROWS_WITH(read_label_file(file, fashion_request()),
                        Contains("1 of the 4 indices of cycle 3's query has no row (indices 40)"));
  }
  SECTION("a bad row later in the file is reported first") {
    const auto file = folder.write("query.csv", "index,label\n12,4\n3,Horse\n");
    REQUIRE_THROWS_WITH(read_label_file(file, fashion_request()),
                        Contains(":3: unknown class name 'Horse'"));
  }
}

TEST_CASE("the first problem in file order is the one reported", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const auto file = folder.write("query.csv", "index,label\n12,4\n7,Horse\n500,1\n40,\n\"3,1\n");
  REQUIRE_THROWS_WITH(read_label_file(file, fashion_request()),
                      Contains("query.csv:3: unknown class name 'Horse'"));
  const auto later = folder.write("later.csv", "index,label\n12,4\n7,1\n500,1\n40,\n\"3,1\n");
  REQUIRE_THROWS_WITH(read_label_file(later, fashion_request()),
                      Contains("later.csv:4: unknown index 500"));
}

TEST_CASE("an inconsistent request is a programming error, not a file error",
          "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const auto file = folder.write("query.csv", "index,label\n12,4\n7,0\n40,9\n3,1\n");
  auto request = fashion_request();
  request.class_names.pop_back();
  REQUIRE_THROWS_AS(read_label_file(file, request), std::invalid_argument);
  request = fashion_request();
  request.class_count = 0;
  request.class_names.clear();
  REQUIRE_THROWS_AS(read_label_file(file, request), std::invalid_argument);
  request = fashion_request();
  request.query_indices.push_back(100);
  REQUIRE_THROWS_AS(read_label_file(file, request), std::invalid_argument);
}

TEST_CASE("an index asked twice makes the request inconsistent", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const auto file = folder.write("query.csv", "index,label\n12,4\n7,0\n40,9\n3,1\n");
  auto request = fashion_request();
  request.query_indices = {12, 7, 40, 3, 7};
  REQUIRE_THROWS_AS(read_label_file(file, request), std::invalid_argument);
  REQUIRE_THROWS_WITH(read_label_file(file, request),
                      Contains("query index 7 is asked twice (positions 1 and 4)"));
}

// ---- What a wrong path or a hostile file costs ------------------------------

TEST_CASE("a label file may hold 1 MiB and 1 KiB per query index", "[oracle][label_file][limits]") {
  al::test::scratch_folder folder;
  const auto request = fashion_request();  // 4 indices
  const std::size_t limit = (std::size_t{1} << 20) + 4 * 1024;
  CHECK(al::label_file_size_limit(request) == limit);
  const std::string rows = "index,label\n12,4\n7,0\n40,9\n3,1\n";
  const std::vector<labelled_sample> expected = {{12, 4}, {7, 0}, {40, 9}, {3, 1}};

  SECTION("a file of exactly the limit is read") {
    // Blank lines at the end are allowed: the rows are right, only the size counts.
    const auto file = folder.write("query.csv", rows + std::string(limit - rows.size(), '\n'));
    CHECK(read_label_file(file, request) == expected);
  }
  SECTION("one byte more is refused with the limit, however right the rows") {
    const auto file = folder.write("query.csv", rows + std::string(limit - rows.size() + 1, '\n'));
    try {
      (void)read_label_file(file, request);
      FAIL("a file over the limit was read");
    } catch (const label_file_error& error) {
      CHECK(error.line() == 0);
      CHECK_THAT(error.what(),
                 Contains("query.csv: the file is larger than 1.0 MiB (1052672 bytes), the most a "
                          "label file for cycle 3's 4 queried indices may hold (1 MiB and 1 KiB "
                          "per index); it is not a filled-in query.csv: give the path of the "
                          "query folder's query.csv"));
    }
  }
  SECTION("a file of a gigabyte is refused without reading it") {
    const auto file = folder.write("query.csv", rows);
    std::filesystem::resize_file(file, std::uintmax_t{1} << 30);  // sparse: costs no disk
    const auto outcome = al::test::outcome_within(std::chrono::milliseconds(500), [&] {
      (void)read_label_file(file, request);
    });
    REQUIRE(outcome.has_value());
    CHECK_THAT(*outcome, Contains("query.csv: the file is larger than 1.0 MiB"));
  }
  SECTION("the limit grows with the query") {
    auto bigger = request;
    for (int i = 50; i < 146; ++i) bigger.query_indices.push_back(i);
    CHECK(al::label_file_size_limit(bigger) == (std::size_t{1} << 20) + 100 * 1024);
  }
}

TEST_CASE("a path that is not a regular file is refused at once, saying what it is",
          "[oracle][label_file][limits]") {
  al::test::scratch_folder folder;
  // Each read runs in a child process that is killed after the deadline:
  // a regression here must fail the test, not hang it.
  const auto refusal = [](const std::filesystem::path& file) {
    const auto outcome = al::test::outcome_within(std::chrono::milliseconds(500), [file] {
      (void)read_label_file(file, fashion_request());
    });
    return outcome.value_or("still reading after half a second");
  };
  SECTION("/dev/zero and /dev/urandom, which never end") {
    if (!std::filesystem::exists("/dev/zero") || !std::filesystem::exists("/dev/urandom")) {
      WARN("no /dev/zero or /dev/urandom on this system");
      return;
    }
    CHECK_THAT(refusal("/dev/zero"),
               Contains("/dev/zero: this is a character device (such as /dev/zero), not a file; "
                        "give the path of the filled-in query.csv"));
    CHECK_THAT(refusal("/dev/urandom"), Contains("/dev/urandom: this is a character device"));
  }
  SECTION("a link to a device") {
    if (!std::filesystem::exists("/dev/zero")) return;
    std::filesystem::create_symlink("/dev/zero", folder.path() / "query.csv");
    CHECK_THAT(refusal(folder.path() / "query.csv"),
               Contains("query.csv: this is a character device"));
  }
  SECTION("a named pipe, whose open would wait for a writer") {
    const auto pipe = folder.path() / "query.csv";
    REQUIRE(::mkfifo(pipe.c_str(), 0600) == 0);
    CHECK_THAT(refusal(pipe), Contains("query.csv: this is a named pipe (FIFO), not a file; give "
                                       "the path of the filled-in query.csv"));
  }
  SECTION("a link to a folder") {
    std::filesystem::create_directory(folder.path() / "query-3");
    std::filesystem::create_directory_symlink(folder.path() / "query-3", folder.path() / "link");
    CHECK_THAT(refusal(folder.path() / "link"),
               Contains("link: this is a folder, not a label file; give the path of the "
                        "query.csv inside it"));
  }
  SECTION("a link to nothing") {
    std::filesystem::create_symlink(folder.path() / "gone.csv", folder.path() / "query.csv");
    CHECK_THAT(refusal(folder.path() / "query.csv"),
               Contains("query.csv: this is a link to a file that does not exist; give the path "
                        "of the filled-in query.csv itself"));
  }
}

TEST_CASE("a label that is a number in another spelling is not a valid class number",
          "[oracle][label_file]") {
  al::test::scratch_folder folder;
  // `label` replaces the label of index 40 (line 4).
  const auto label_error = [&](std::string_view label, const label_request& request) {
    const auto file =
        folder.write("query.csv", "index,label\n12,4\n7,0\n40," + std::string(label) + "\n3,1\n");
    return [file, request] { (void)read_label_file(file, request); };
  };
  const auto named = fashion_request();
  const auto unnamed = numbers_only_request();
  const auto not_valid = [](std::string_view label) {
    return Contains(fmt::format("query.csv:4: label '{}' of index 40 is not a valid class number: "
                                "a class number is a whole number written with digits only (no "
                                "sign, decimal point, exponent or hex)",
                                label));
  };

  SECTION("a decimal or a plus sign: the message says which number to write") {
    REQUIRE_THROWS_WITH(label_error("3.0", named)(), not_valid("3.0"));
    REQUIRE_THROWS_WITH(label_error("3.0", named)(),
                        Contains("(no sign, decimal point, exponent or hex) — write 3; use a class "
                                 "number from 0 to 9 or a class name (0 T-shirt/top"));
    REQUIRE_THROWS_WITH(label_error("+3", named)(), not_valid("+3"));
    REQUIRE_THROWS_WITH(label_error("+3", named)(), Contains("— write 3; use"));
    REQUIRE_THROWS_WITH(label_error("-0", named)(), Contains("— write 0; use"));
    REQUIRE_THROWS_WITH(label_error("3.0", unnamed)(), not_valid("3.0"));
    REQUIRE_THROWS_WITH(label_error("3.0", unnamed)(),
                        Contains("— write 3; use a class number from 0 to 9"));
  }
  SECTION("an exponent, hex or a fraction: no number to suggest") {
    for (const auto* label : {"1e2", "0x3", "3.5", ".5", "1e0", "1 000"}) {
      INFO(label);
      REQUIRE_THROWS_WITH(label_error(label, named)(), not_valid(label));
    }
    REQUIRE_THROWS_WITH(label_error("1e2", named)(),
                        Contains("(no sign, decimal point, exponent or hex); use a class number"));
  }
  SECTION("digits beyond any integer are out of range") {
    REQUIRE_THROWS_WITH(label_error("99999999999999999999", named)(),
                        Contains("query.csv:4: label 99999999999999999999 of index 40 is out of "
                                 "range; use a class number from 0 to 9"));
  }
  SECTION("a name that starts with a digit still gets the did-you-mean of a name") {
    REQUIRE_THROWS_WITH(label_error("3 Dress", named)(),
                        Contains(":4: unknown class name '3 Dress' for index 40; did you mean "
                                 "'Dress'?"));
  }
}

TEST_CASE("leading zeros are decimal: 03 is class 3", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const auto file = folder.write("query.csv", "index,label\n012,04\n7,00\n40,09\n3,01\n");
  CHECK(read_label_file(file, fashion_request()) ==
        std::vector<labelled_sample>{{12, 4}, {7, 0}, {40, 9}, {3, 1}});
}

TEST_CASE("a class name that looks like a number is still that class's name",
          "[oracle][label_file]") {
  al::test::scratch_folder folder;
  auto request = numbers_only_request();
  request.class_count = 3;
  request.class_names = {"0.5 mm", "1.5", "2"};
  const auto file = folder.write("query.csv", "index,label\n12,1.5\n7,0.5 mm\n40,2\n3,1\n");
  CHECK(read_label_file(file, request) ==
        std::vector<labelled_sample>{{12, 1}, {7, 0}, {40, 2}, {3, 1}});
}

TEST_CASE("a label that could mean two classes is refused", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  auto request = numbers_only_request();
  request.class_count = 3;
  SECTION("digits that are one class's number and another's name") {
    request.class_names = {"1", "0", "2"};
    const auto file = folder.write("query.csv", "index,label\n12,2\n7,1\n40,2\n3,2\n");
    REQUIRE_THROWS_WITH(read_label_file(file, request),
                        Contains("query.csv:3: label 1 of index 7 is ambiguous: class number 1 is "
                                 "'0', but '1' is also the name of class 0; write the other "
                                 "class's number, 0, if you meant that one"));
  }
  SECTION("a name two classes share") {
    request.class_names = {"crane", "kite", "crane"};
    const auto file = folder.write("query.csv", "index,label\n12,kite\n7,crane\n40,2\n3,2\n");
    REQUIRE_THROWS_WITH(read_label_file(file, request),
                        Contains("query.csv:3: class name 'crane' of index 7 is ambiguous: classes "
                                 "0 and 2 have this name; write the class number instead"));
  }
}

TEST_CASE("a line that is not text is refused with its line and what to do",
          "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const auto error_of = [&](std::string content) {
    const auto file = folder.write("query.csv", content);
    return [file] { (void)read_label_file(file, fashion_request()); };
  };
  SECTION("a NUL byte") {
    REQUIRE_THROWS_WITH(
        error_of(std::string("index,label\n12,4\n7,0\n40,9\0\n3,1\n", 29))(),
        Contains("query.csv:4: a NUL byte at byte 5 of the line; the file is not plain text: "
                 "save it as CSV (UTF-8) or start again from the template query.csv"));
  }
  SECTION("another control character") {
    REQUIRE_THROWS_WITH(error_of("index,label\n12,4\n7,\x1b[0m0\n40,9\n3,1\n")(),
                        Contains("query.csv:3: the control character 0x1B at byte 3 of the line"));
  }
  SECTION("lines ended by a carriage return alone") {
    REQUIRE_THROWS_WITH(error_of("index,label\r12,4\r7,0\r40,9\r3,1\r")(),
                        Contains("query.csv:1: a carriage return (CR) at byte 12 inside the line: "
                                 "the file ends its lines with CR alone; save it with LF or CRLF "
                                 "line ends"));
  }
  SECTION("UTF-16 text") {
    std::string utf16 = "\xFF\xFE";
    for (const char c : std::string_view("index,label\r\n12,4\r\n")) utf16 += {c, '\0'};
    REQUIRE_THROWS_WITH(error_of(utf16)(),
                        Contains("query.csv: the file is UTF-16 text (a spreadsheet's \"Unicode "
                                 "text\"); save it as CSV (UTF-8) instead"));
  }
}

TEST_CASE("a huge line is quoted cut short", "[oracle][label_file][limits]") {
  al::test::scratch_folder folder;
  const std::string huge(200'000, 'x');
  const auto message_of = [&](const std::string& content) {
    try {
      (void)read_label_file(folder.write("query.csv", content), fashion_request());
    } catch (const label_file_error& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  const auto label = message_of("index,label\n12,4\n7,0\n40," + huge + "\n3,1\n");
  CHECK_THAT(label, Contains("query.csv:4: unknown class name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                             "xxxxxx… (200000 bytes)' for index 40; use a class number"));
  CHECK(label.size() < 1000);
  const auto header = message_of("index" + huge + ",label\n12,4\n");
  CHECK_THAT(header, Contains("query.csv:1: wrong header 'index"));
  CHECK(header.size() < 1000);
  const auto row = message_of("index,label\n12,4,\"" + huge + "\"\n");
  CHECK_THAT(row, Contains("query.csv:2: the row '12,4,"));
  CHECK(row.size() < 1000);
  const auto index = message_of("index,label\n" + huge + ",4\n");
  CHECK_THAT(index, Contains("query.csv:2: the index 'xxx"));
  CHECK(index.size() < 1000);
}

TEST_CASE("an index too long for any integer is an unknown index", "[oracle][label_file]") {
  al::test::scratch_folder folder;
  const auto file =
      folder.write("query.csv", "index,label\n12,4\n7,0\n99999999999999999999,9\n3,1\n");
  REQUIRE_THROWS_WITH(read_label_file(file, fashion_request()),
                      Contains("query.csv:4: unknown index 99999999999999999999: the pool has "
                               "indices 0 to 99"));
}

TEST_CASE("a file of many more rows than the query stops at the first extra row",
          "[oracle][label_file][limits]") {
  al::test::scratch_folder folder;
  std::string content = "index,label\n12,4\n7,0\n40,9\n3,1\n";
  for (int i = 0; i < 150'000; ++i) content += "12,4\n";  // 750 kB, under the limit
  REQUIRE_THROWS_WITH(read_label_file(folder.write("query.csv", content), fashion_request()),
                      Contains("query.csv:6: index 12 appears twice, on lines 2 and 6"));
  SECTION("the unlabelled rows are still counted over the whole file") {
    std::string unlabelled = "index,label\n12,\n7,0\n40,9\n3,1\n";
    for (int i = 0; i < 1000; ++i) unlabelled += "41,\n";
    REQUIRE_THROWS_WITH(read_label_file(folder.write("query.csv", unlabelled), fashion_request()),
                        Contains(":2: index 12 has no label; 1001 of 1004 rows are still "
                                 "unlabelled (indices 12, 41, 41, 41, 41 and 996 more)"));
  }
}
