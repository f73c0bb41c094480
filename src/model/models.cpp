// Built-in classifiers. Sizes are chosen to learn well from a few hundred
// labels while training in seconds on a 2-core CPU.

#include <al/engine/model.hpp>

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace al::engine {

void classifier::set_head_dropout(double probability) {
  if (!(probability >= 0 && probability < 1)) {
    throw std::invalid_argument(fmt::format(
        "head dropout must be in [0, 1) (got {}); 0 turns it off", probability));
  }
  head_dropout_ = probability;
}

std::pair<torch::Tensor, torch::Tensor> classifier::linear_head() {
  // named_modules lists modules in registration order, so "the last linear
  // layer" is the one registered last: a head is usually registered after
  // the body it reads.
  const torch::nn::LinearImpl* found = nullptr;
  for (const auto& item : named_modules("", /*include_self=*/false)) {
    const auto* linear = dynamic_cast<const torch::nn::LinearImpl*>(item.value().get());
    if (linear == nullptr) continue;
    found = linear;
    if (item.key() == "head") break;  // the built-in models' name wins
  }
  if (found == nullptr) {
    throw std::invalid_argument(
        "boundary distances need the classifier head as one linear layer (W, b), but the "
        "model holds no torch::nn::Linear; override al::engine::classifier::linear_head() to "
        "return (W [K, d], b [K]) with head(h) = h W^T + b, or use another strategy");
  }
  const auto weight = found->weight.detach();
  const auto bias = found->bias.defined() ? found->bias.detach()
                                          : torch::zeros({weight.size(0)}, weight.options());
  return {weight, bias};
}

bool is_dropout(const torch::nn::Module& module) {
  const auto* m = &module;
  if (dynamic_cast<const torch::nn::DropoutImpl*>(m) ||
      dynamic_cast<const torch::nn::Dropout2dImpl*>(m) ||
      dynamic_cast<const torch::nn::Dropout3dImpl*>(m) ||
      dynamic_cast<const torch::nn::AlphaDropoutImpl*>(m) ||
      dynamic_cast<const torch::nn::FeatureAlphaDropoutImpl*>(m)) {
    return true;
  }
  // A user's own dropout module: its type name is all we can see.
  return m->name().find("Dropout") != std::string::npos;
}

bool has_dropout(const torch::nn::Module& model) {
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (is_dropout(*module)) return true;
  }
  return false;
}

bool classifier::stochastic_encoder() const { return has_dropout(*this); }

namespace {

namespace nn = torch::nn;

/// Conv blocks of `widths` channels: 3×3 conv, batch norm, ReLU, 2×2 max-pool.
/// (LibTorch cannot nest Sequentials, so the blocks go into one.)
nn::Sequential conv_blocks(std::int64_t in, std::initializer_list<std::int64_t> widths) {
  nn::Sequential blocks;
  for (const auto out : widths) {
    blocks->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
    blocks->push_back(nn::BatchNorm2d(out));
    blocks->push_back(nn::ReLU());
    blocks->push_back(nn::MaxPool2d(2));
    in = out;
  }
  return blocks;
}

/// Conv blocks, then a ReLU embedding layer, then the linear head. The two
/// built-in CNNs differ only in their widths.
class conv_classifier final : public classifier {
 public:
  conv_classifier(const input_shape& shape, std::initializer_list<std::int64_t> widths,
                  std::int64_t embedding_width)
      : features_(register_module("features", conv_blocks(shape.channels, widths))),
        embedding_(register_module(
            "embedding", nn::Linear(flattened_size(shape, widths), embedding_width))),
        head_(register_module("head", nn::Linear(embedding_width, shape.num_classes))) {}

  torch::Tensor embed(const torch::Tensor& images) override {
    return torch::relu(embedding_(features_->forward(images).flatten(1)));
  }
  torch::Tensor head(const torch::Tensor& embedding) override { return head_(embedding); }

 private:
  /// Each block halves the height and width.
  static std::int64_t flattened_size(const input_shape& shape,
                                     std::initializer_list<std::int64_t> widths) {
    const auto shrink = std::int64_t{1} << widths.size();
    return *(widths.end() - 1) * (shape.height / shrink) * (shape.width / shrink);
  }

  nn::Sequential features_;
  nn::Linear embedding_;
  nn::Linear head_;
};

class mlp final : public classifier {
 public:
  explicit mlp(const input_shape& shape)
      : body_(register_module(
            "body", nn::Sequential(nn::Linear(shape.channels * shape.height * shape.width, 64),
                                   nn::ReLU(), nn::Linear(64, 64), nn::ReLU()))),
        head_(register_module("head", nn::Linear(64, shape.num_classes))) {}

  torch::Tensor embed(const torch::Tensor& images) override {
    return body_->forward(images.flatten(1));
  }
  torch::Tensor head(const torch::Tensor& embedding) override { return head_(embedding); }

 private:
  nn::Sequential body_;
  nn::Linear head_;
};

/// ResNet's basic block (He et al. 2016): two 3×3 convolutions with batch
/// norm, added to the input, through a 1×1 convolution where the stride or
/// the width changes.
class basic_block final : public nn::Module {
 public:
  basic_block(std::int64_t in, std::int64_t out, std::int64_t stride)
      : conv1_(register_module(
            "conv1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)))),
        norm1_(register_module("norm1", nn::BatchNorm2d(out))),
        conv2_(register_module("conv2",
                               nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)))),
        norm2_(register_module("norm2", nn::BatchNorm2d(out))) {
    if (stride != 1 || in != out) {
      shortcut_ = register_module(
          "shortcut", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                                     nn::BatchNorm2d(out)));
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const auto y = norm2_(conv2_(torch::relu(norm1_(conv1_(x)))));
    return torch::relu(y + (shortcut_ ? shortcut_->forward(x) : x));
  }

 private:
  nn::Conv2d conv1_;
  nn::BatchNorm2d norm1_;
  nn::Conv2d conv2_;
  nn::BatchNorm2d norm2_;
  nn::Sequential shortcut_{nullptr};
};

/// ResNet-18 as the CIFAR papers use it (and Bengar et al., DeepAL+): a 3×3
/// stem without max-pool, four stages of two basic blocks (64, 128, 256,
/// 512 channels; the last three halve the resolution), global average
/// pooling to a 512-wide embedding, and the linear head.
class resnet18 final : public classifier {
 public:
  explicit resnet18(const input_shape& shape)
      : stem_(register_module(
            "stem", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(shape.channels, 64, 3)
                                                  .padding(1)
                                                  .bias(false)),
                                   nn::BatchNorm2d(64), nn::ReLU()))) {
    std::int64_t in = 64;
    for (const auto& [width, stride] : {std::pair<std::int64_t, std::int64_t>{64, 1},
                                        {128, 2}, {256, 2}, {512, 2}}) {
      for (const auto block_stride : {stride, std::int64_t{1}}) {
        blocks_.push_back(register_module(fmt::format("block{}", blocks_.size()),
                                          std::make_shared<basic_block>(in, width, block_stride)));
        in = width;
      }
    }
    head_ = register_module("head", nn::Linear(in, shape.num_classes));
  }

  torch::Tensor embed(const torch::Tensor& images) override {
    auto x = stem_->forward(images);
    for (const auto& block : blocks_) x = block->forward(x);
    return x.mean({2, 3});
  }
  torch::Tensor head(const torch::Tensor& embedding) override { return head_(embedding); }

 private:
  nn::Sequential stem_;
  std::vector<std::shared_ptr<basic_block>> blocks_;
  nn::Linear head_{nullptr};
};

void require_size(const input_shape& shape, std::int64_t channels, std::int64_t side,
                  std::string_view model) {
  if (shape.channels != channels || shape.height != side || shape.width != side) {
    throw std::invalid_argument(fmt::format(
        "model {} expects {}x{}x{} images but the data has {}x{}x{}; use model \"auto\" or "
        "bring your own model (config.custom_model)",
        model, channels, side, side, shape.channels, shape.height, shape.width));
  }
}

}  // namespace

std::shared_ptr<classifier> make_small_cnn(const input_shape& shape) {
  require_size(shape, 1, 28, "small_cnn");
  return std::make_shared<conv_classifier>(shape, std::initializer_list<std::int64_t>{16, 32}, 128);
}

std::shared_ptr<classifier> make_cifar_cnn(const input_shape& shape) {
  require_size(shape, 3, 32, "cifar_cnn");
  return std::make_shared<conv_classifier>(shape, std::initializer_list<std::int64_t>{32, 64, 128}, 256);
}

std::shared_ptr<classifier> make_mlp(const input_shape& shape) {
  return std::make_shared<mlp>(shape);
}

std::shared_ptr<classifier> make_resnet18(const input_shape& shape) {
  if (shape.height < 8 || shape.width < 8) {
    throw std::invalid_argument(fmt::format(
        "model resnet18 needs images of at least 8x8 but the data has {}x{}x{}; use model \"auto\"",
        shape.channels, shape.height, shape.width));
  }
  return std::make_shared<resnet18>(shape);
}

std::shared_ptr<classifier> make_builtin_model(std::string_view name, const input_shape& shape) {
  if (name == "small_cnn") return make_small_cnn(shape);
  if (name == "cifar_cnn") return make_cifar_cnn(shape);
  if (name == "mlp") return make_mlp(shape);
  if (name == "resnet18") return make_resnet18(shape);
  if (name == "auto") {
    if (shape.channels == 1 && shape.height == 28 && shape.width == 28) return make_small_cnn(shape);
    if (shape.channels == 3 && shape.height == 32 && shape.width == 32) return make_cifar_cnn(shape);
    if (shape.height == 1) return make_mlp(shape);  // flat features, e.g. blobs
    throw std::invalid_argument(fmt::format(
        "no built-in model fits {}x{}x{} images; give config.model (small_cnn, cifar_cnn, resnet18, mlp) "
        "or bring your own model (config.custom_model)",
        shape.channels, shape.height, shape.width));
  }
  throw std::invalid_argument(fmt::format(
      "unknown model \"{}\"; the built-in models are auto, small_cnn, cifar_cnn, resnet18 and mlp",
      name));
}

}  // namespace al::engine
