#include <al/metrics/aubc.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <vector>

TEST_CASE("AUBC is the trapezoid area divided by the budget span", "[metrics][aubc]") {
  SECTION("uneven steps weigh each trapezoid by its width") {
    // By hand: (200 - 100) * (0.6 + 0.7) / 2 = 65 and (400 - 200) * (0.7 + 0.9) / 2 = 160;
    // (65 + 160) / (400 - 100) = 0.75. Averaging the points (0.7333) or the
    // trapezoids unweighted (0.725) would both be wrong.
    const std::vector<std::int64_t> labelled{100, 200, 400};
    const std::vector<double> accuracy{0.6, 0.7, 0.9};
    CHECK(al::aubc(labelled, accuracy) == Approx(0.75).epsilon(1e-12));
  }
  SECTION("a flat curve has its own accuracy as AUBC") {
    const std::vector<std::int64_t> labelled{10, 20, 30, 40};
    const std::vector<double> accuracy{0.5, 0.5, 0.5, 0.5};
    CHECK(al::aubc(labelled, accuracy) == Approx(0.5));
  }
  SECTION("two points give their mean") {
    const std::vector<std::int64_t> labelled{100, 700};
    const std::vector<double> accuracy{0.70, 0.84};
    CHECK(al::aubc(labelled, accuracy) == Approx(0.77));
  }
}

TEST_CASE("AUBC refuses curves it cannot integrate, saying why", "[metrics][aubc]") {
  const std::vector<double> two{0.5, 0.6};
  SECTION("fewer than two points") {
    const std::vector<std::int64_t> labelled{100};
    const std::vector<double> accuracy{0.5};
    CHECK_THROWS_WITH(al::aubc(labelled, accuracy),
                      Catch::Contains("at least 2 points") && Catch::Contains("query cycle"));
  }
  SECTION("unsorted counts") {
    const std::vector<std::int64_t> labelled{200, 100};
    CHECK_THROWS_WITH(al::aubc(labelled, two), Catch::Contains("strictly increase") &&
                                                   Catch::Contains("200 is followed by 100"));
  }
  SECTION("duplicate counts") {
    const std::vector<std::int64_t> labelled{100, 100};
    CHECK_THROWS_AS(al::aubc(labelled, two), std::invalid_argument);
  }
  SECTION("sizes that differ") {
    const std::vector<std::int64_t> labelled{100, 200, 300};
    CHECK_THROWS_WITH(al::aubc(labelled, two),
                      Catch::Contains("3 labelled counts but 2 accuracies"));
  }
}
