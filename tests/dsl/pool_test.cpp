// The pool's bookkeeping: who is labelled, when and by which step.

#include <al/engine/pool.hpp>

#include <catch2/catch.hpp>

using al::engine::pool_state;

TEST_CASE("the pool records the cycle and step that labelled each sample", "[pool]") {
  pool_state pool(6);
  pool.label({4, 1}, 0, "initial: random");
  pool.label({0}, 1, "query: entropy");
  CHECK(pool.labelled_count() == 3);
  CHECK(pool.labelled() == std::vector<std::int64_t>{4, 1, 0});
  CHECK(pool.unlabelled() == std::vector<std::int64_t>{2, 3, 5});
  CHECK(pool.labelled_in_cycle(1) == 0);
  CHECK(pool.labelled_in_cycle(0) == 1);
  CHECK(pool.labelled_in_cycle(2) == -1);
  CHECK(pool.labelled_by(4) == "initial: random");
  CHECK(pool.labelled_by(0) == "query: entropy");
  CHECK(pool.labelled_by(5).empty());
}

TEST_CASE("the pool refuses a bad labelling whole", "[pool]") {
  pool_state pool(4);
  pool.label({0}, 0, "initial: random");
  SECTION("an index already labelled") {
    CHECK_THROWS_WITH(pool.label({2, 0}, 1, "query: margin"), Catch::Contains("already labelled"));
  }
  SECTION("an index outside the pool") {
    CHECK_THROWS_WITH(pool.label({1, 9}, 1, "query: margin"), Catch::Contains("outside the pool of 4"));
  }
  SECTION("the same index twice") {
    CHECK_THROWS_WITH(pool.label({3, 3}, 1, "query: margin"), Catch::Contains("chose index 3 twice"));
  }
  CHECK(pool.labelled_count() == 1);
  CHECK(pool.unlabelled() == std::vector<std::int64_t>{1, 2, 3});
}
