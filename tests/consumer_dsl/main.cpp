// Uses the installed DSL alone: a typed pipeline and the same pipeline read
// from text (the parser lives in the compiled DSL library).
#include <al/explain.hpp>
#include <al/parse.hpp>
#include <al/pipeline.hpp>
#include <al/stage/cycle.hpp>
#include <al/stage/initial.hpp>
#include <al/stage/query.hpp>
#include <al/strategies.hpp>

#include <fmt/format.h>

int main() {
  using namespace al;
  using al::random;
  constexpr auto p = initial(random, 100) | cycle(3, query(softrank(entropy, 1), 50));
  const bool same = parse(to_string(p)) == lower(p);
  fmt::print("dsl consumer: {} labels, same plan from text: {}\n", lower(p).label_budget(),
             same ? "yes" : "no");
  return same ? 0 : 1;
}
