// Uses the installed alpipe: the DSL headers and the compiled engine.
#include <al/al.hpp>

#include <fmt/format.h>

int main(int, char** argv) {
  using namespace al;
  using al::random;
  config c;
  c.data.name = "blobs";
  c.results_dir = argv[0] + std::string(".results");
  c.verbose = false;
  const auto report = run(initial(random, 20) | train.epochs(10) | cycle(2, query(entropy, 20)), c);
  fmt::print("consumer: {} cycles, final accuracy {:.3f}\n", report.cycles.size() - 1,
             report.cycles.back().accuracy);
}
