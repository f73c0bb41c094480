// Lesson 08 — bring your own model.
//
// Any LibTorch module that gives an embedding h(x) and logits works with the
// whole loop: derive from al::engine::classifier, implement embed() and
// head(), and hand a factory to the config. Strategies that look at the
// embedding (coreset, badge, …) then see your h(x).
//
// Run it:   build/examples/08-own-model [--blobs] [--out DIR]
// --blobs uses synthetic data instead of Fashion-MNIST (the test does).

#include "command_line.hpp"
#include "report_errors.hpp"

#include <al/al.hpp>
#include <al/engine/model.hpp>  // LibTorch: only this file pays for it

#include <fmt/format.h>

#include <string_view>

namespace {

/// A two-layer perceptron over the flattened image, with dropout.
class wide_mlp : public al::engine::classifier {
 public:
  wide_mlp(std::int64_t inputs, std::int64_t classes)
      : hidden_(register_module("hidden", torch::nn::Linear(inputs, 256))),
        dropout_(register_module("dropout", torch::nn::Dropout(0.2))),
        out_(register_module("out", torch::nn::Linear(256, classes))) {}

  torch::Tensor embed(const torch::Tensor& images) override {
    return dropout_(torch::relu(hidden_(images.flatten(1))));
  }
  torch::Tensor head(const torch::Tensor& embedding) override { return out_(embedding); }

 private:
  torch::nn::Linear hidden_;
  torch::nn::Dropout dropout_;
  torch::nn::Linear out_;
};

}  // namespace

static int lesson(int argc, char** argv) {
  using namespace al;
  using al::random;

  config c;
  c.results_dir = "results/own-model";
  c.data.pool_size = 5000;
  c.data.test_size = 2000;
  CLI::App app{"Lesson 08: your own model in the engine."};
  lessons::add_blobs_option(app, c);
  app.add_option("--out", c.results_dir, "parent folder of the results");
  if (const auto stop = lessons::parse_command_line(app, argc, argv)) return *stop;
  c.custom_model = [](const engine::input_shape& shape) {
    return std::make_shared<wide_mlp>(shape.channels * shape.height * shape.width,
                                      shape.num_classes);
  };

  const auto p = initial(random, 40) | train.epochs(20) | cycle(2, query(margin, 40));
  const auto report = run(p, c);
  for (const auto& cycle : report.cycles) {
    fmt::print("own model, {} labels: test accuracy {:.2f}%\n", cycle.labelled,
               100 * cycle.accuracy);
  }
  fmt::print("results written to {}\n", report.folder.string());
  return 0;
}

int main(int argc, char** argv) { return lessons::report_errors(lesson, argc, argv); }
