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
#include <utility>

namespace al::engine {

/// A classifier split where strategies look: `embed` gives h(x), the input of
/// the classifier head; `head` maps h(x) to logits.
///
/// MC-dropout strategies (bald) need dropout. The engine gives any model a
/// dropout layer between `embed` and `head` when a pipeline needs it
/// (`set_head_dropout`); with that as the only dropout, the encoder runs once
/// per sample and only the head is sampled T times.
class classifier : public torch::nn::Module {
 public:
  /// h(x) for a batch of images [B, C, H, W] → [B, d].
  virtual torch::Tensor embed(const torch::Tensor& images) = 0;
  /// Logits [B, K] from embeddings [B, d].
  virtual torch::Tensor head(const torch::Tensor& embedding) = 0;

  /// Logits; the head dropout acts in training mode only.
  torch::Tensor forward(const torch::Tensor& images) {
    auto embedding = embed(images);
    if (head_dropout_ > 0) embedding = torch::dropout(embedding, head_dropout_, is_training());
    return head(embedding);
  }

  /// Dropout probability on h(x) before the head; 0 (the default) is none.
  /// A probability outside [0, 1) is an error.
  void set_head_dropout(double probability);
  [[nodiscard]] double head_dropout() const { return head_dropout_; }

  /// Whether passes through `embed` can differ in training mode, i.e. MC
  /// dropout must rerun the whole model for every pass. The default answers
  /// true when the model holds any dropout module at all (`has_dropout`):
  /// safe, since a dropout in the head is sampled by full passes too.
  /// Override it to return false when your dropout modules all sit in
  /// `head`; bald then samples only the head.
  [[nodiscard]] virtual bool stochastic_encoder() const;

  /// The head as one linear map, logits = h·Wᵀ + b: (W [K, d], b [K]).
  /// Boundary distances (the `boundary` scorer, BASE) need it. The default
  /// returns the module registered as "head" when it is a torch::nn::Linear
  /// (the built-in models), else the last torch::nn::Linear registered; a
  /// model without one is an error that says to override this. The scoring
  /// pass checks that head(h) really equals h·Wᵀ + b, so a head that is more
  /// than its last linear layer is refused rather than silently misread.
  virtual std::pair<torch::Tensor, torch::Tensor> linear_head();

 private:
  double head_dropout_ = 0;
};

/// Whether `module` itself is a dropout layer (any of torch's, or a module
/// whose type name says Dropout). MC dropout puts exactly these in training
/// mode and leaves everything else, batch norm above all, in eval mode.
bool is_dropout(const torch::nn::Module& module);

/// Whether any module below `model` is a dropout layer.
bool has_dropout(const torch::nn::Module& model);

/// The head dropout a run gives its model when the pipeline samples MC
/// dropout (bald) and the model brings no dropout of its own: 0.5 on the
/// layer before the last, as in Gal et al. (2017).
inline constexpr double mc_head_dropout = 0.5;

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

/// ResNet-18 in its CIFAR form (3×3 stem, no max-pool; 64–512 channels;
/// a 512-wide embedding after global average pooling), for any images of
/// at least 8×8: the encoder of Bengar et al. and DeepAL+. About 0.46 G
/// multiply-adds per 28×28 image (0.56 G at 32×32), some 370 times the
/// small CNN: a model for a GPU.
std::shared_ptr<classifier> make_resnet18(const input_shape& shape);

/// The built-in model named `name` (`small_cnn`, `cifar_cnn`, `resnet18`, `mlp`), or
/// `auto`: chosen from the input shape. An unknown name or a shape no
/// built-in model fits is an error that says what to pass instead.
std::shared_ptr<classifier> make_builtin_model(std::string_view name, const input_shape& shape);

}  // namespace al::engine
