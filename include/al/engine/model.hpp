#pragma once
// Engine-side models. Opt-in header (LibTorch): include it to bring your own
// model. Anything that gives an embedding and logits works with the whole
// loop: derive from `al::engine::classifier`, register your layers, and hand
// a factory to `al::config::custom_model`:
//
//   struct my_net : al::engine::classifier {
//     torch::nn::Linear body{nullptr}, out{nullptr};
//     my_net(std::int64_t in, std::int64_t k)
//         : body(register_module("body", torch::nn::Linear(in, 32))),
//           out(register_module("out", torch::nn::Linear(32, k))) {}
//     torch::Tensor embed(const torch::Tensor& x) override {
//       return torch::relu(body(x.flatten(1)));
//     }
//     torch::Tensor head(const torch::Tensor& h) override { return out(h); }
//   };
//   config.custom_model = [](const al::engine::input_shape& s) {
//     return std::make_shared<my_net>(s.channels * s.height * s.width, s.num_classes);
//   };

#include <al/config.hpp>

#include <torch/torch.h>

#include <memory>
#include <string_view>

namespace al::engine {

/// A classifier split where strategies look: `embed` gives h(x), the input of
/// the classifier head; `head` maps h(x) to logits.
class classifier : public torch::nn::Module {
 public:
  /// h(x) for a batch of images [B, C, H, W] → [B, d].
  virtual torch::Tensor embed(const torch::Tensor& images) = 0;
  /// Logits [B, K] from embeddings [B, d].
  virtual torch::Tensor head(const torch::Tensor& embedding) = 0;

  torch::Tensor forward(const torch::Tensor& images) { return head(embed(images)); }
};

/// Small CNN for 28×28 grey images (MNIST, Fashion-MNIST): two conv blocks
/// (16 and 32 channels, batch norm, max-pool) and a 128-wide embedding —
/// about 1.2 M multiply-adds per image, cheap enough to score ~13k images/s
/// on a 2-core CPU while still passing 80% test accuracy from 700 labels.
std::shared_ptr<classifier> make_small_cnn(const input_shape& shape);

/// CNN for 32×32 colour images (CIFAR-10): three conv blocks (32, 64, 128)
/// and a 256-wide embedding.
std::shared_ptr<classifier> make_cifar_cnn(const input_shape& shape);

/// MLP for flat features (synthetic blobs): two hidden layers of 64.
std::shared_ptr<classifier> make_mlp(const input_shape& shape);

/// The built-in model named `name` (`small_cnn`, `cifar_cnn`, `mlp`), or
/// `auto`: chosen from the input shape. An unknown name or a shape no
/// built-in model fits is an error that says what to pass instead.
std::shared_ptr<classifier> make_builtin_model(std::string_view name, const input_shape& shape);

}  // namespace al::engine
