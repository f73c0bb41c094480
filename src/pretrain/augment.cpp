// SimSiam's augmentations as batched tensor ops: every random parameter is
// drawn for the whole batch at once (on the CPU, so a seed means the same
// views on any device), then applied by a handful of kernels on the images'
// device.

#include <al/engine/pretrain.hpp>

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace al::engine {
namespace {

namespace F = torch::nn::functional;

/// Float32 on the generator's device: every draw is made where the images
/// are (a GPU's own generator there), so no per-step draw crosses from host
/// to device.
torch::TensorOptions drawn_on(const at::Generator& generator) {
  return torch::TensorOptions(torch::kFloat32).device(generator.device());
}

/// [B] uniform draws in [low, high).
torch::Tensor uniform(std::int64_t count, double low, double high, at::Generator& generator) {
  return torch::rand({count}, generator, drawn_on(generator)) * (high - low) + low;
}

/// [B] booleans, each true with probability p.
torch::Tensor coin(std::int64_t count, double p, at::Generator& generator) {
  return torch::rand({count}, generator, drawn_on(generator)) < p;
}

/// Per-image factors: drawn from [1 - spread, 1 + spread] where `apply` is
/// set, 1 elsewhere. [B, 1, 1, 1] on `device`.
torch::Tensor jitter_factors(const torch::Tensor& apply, double spread, at::Generator& generator,
                             const torch::Device& device) {
  const auto drawn = uniform(apply.size(0), 1 - spread, 1 + spread, generator);
  return torch::where(apply, drawn, torch::ones_like(drawn)).view({-1, 1, 1, 1}).to(device);
}

/// ITU-R 601 luma, [B, 1, H, W]; the mean of the channels for grey images.
torch::Tensor luma(const torch::Tensor& pixels) {
  if (pixels.size(1) != 3) return pixels.mean(1, /*keepdim=*/true);
  const auto weights = torch::tensor({0.299f, 0.587f, 0.114f}, pixels.options()).view({1, 3, 1, 1});
  return (pixels * weights).sum(1, /*keepdim=*/true);
}

/// Random resized crop and horizontal flip in one resampling: each output
/// pixel reads its source position through a per-image affine map
/// (affine_grid + bilinear grid_sample), so the batch is one kernel call.
torch::Tensor crop_and_flip(const torch::Tensor& pixels, const augmentation& options,
                            at::Generator& generator) {
  const auto batch = pixels.size(0);
  // Area fraction s and aspect ratio a give the crop's width and height as
  // fractions of the image: w = sqrt(s·a), h = sqrt(s/a), at most the image.
  const auto area = uniform(batch, options.min_crop_scale, 1.0, generator);
  const auto log_aspect =
      uniform(batch, -std::log(options.max_aspect), std::log(options.max_aspect), generator);
  const auto aspect = log_aspect.exp();
  const auto width = (area * aspect).sqrt().clamp_max(1.0);
  const auto height = (area / aspect).sqrt().clamp_max(1.0);
  // Centres in the normalised coordinates [-1, 1] where the crop fits.
  const auto centre_x = (torch::rand({batch}, generator, drawn_on(generator)) * 2 - 1) * (1 - width);
  const auto centre_y = (torch::rand({batch}, generator, drawn_on(generator)) * 2 - 1) * (1 - height);
  auto mirror = torch::ones({batch}, drawn_on(generator));
  if (options.flip) mirror = torch::where(coin(batch, 0.5, generator), -mirror, mirror);

  const auto zero = torch::zeros({batch}, drawn_on(generator));
  const auto theta = torch::stack({torch::stack({width * mirror, zero, centre_x}, 1),
                                   torch::stack({zero, height, centre_y}, 1)},
                                  1)
                         .to(pixels.device(), pixels.scalar_type());
  const auto grid = F::affine_grid(theta, pixels.sizes(), /*align_corners=*/false);
  return F::grid_sample(pixels, grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kBorder)
                            .align_corners(false));
}

/// Hue rotation by `turns` (per image, a fraction of a full turn) in YIQ
/// space, where hue is the angle of the (I, Q) chroma vector: one 3×3 matrix
/// per image, applied with a batched matrix product.
torch::Tensor rotate_hue(const torch::Tensor& pixels, const torch::Tensor& turns) {
  const auto options = torch::TensorOptions().dtype(torch::kFloat32);
  const auto to_yiq = torch::tensor({0.299f, 0.587f, 0.114f, 0.596f, -0.274f, -0.322f, 0.211f,
                                     -0.523f, 0.312f},
                                    options)
                          .view({3, 3});
  const auto from_yiq = torch::linalg::inv(to_yiq).to(turns.device());
  const auto angle = turns * (2 * std::numbers::pi);
  const auto c = angle.cos();
  const auto s = angle.sin();
  const auto one = torch::ones_like(c);
  const auto zero = torch::zeros_like(c);
  const auto rotation = torch::stack({torch::stack({one, zero, zero}, 1),
                                      torch::stack({zero, c, -s}, 1),
                                      torch::stack({zero, s, c}, 1)},
                                     1);  // [B, 3, 3]
  // (The two constant 3×3 matrices are the only host-to-device copies.)
  const auto per_image = from_yiq.matmul(rotation).matmul(to_yiq.to(turns.device())).to(pixels.device(),
                                                                      pixels.scalar_type());
  const auto flat = pixels.flatten(2);  // [B, 3, H·W]
  return per_image.bmm(flat).view_as(pixels);
}

}  // namespace

torch::Tensor augment(const torch::Tensor& pixels, const augmentation& options,
                      at::Generator& generator) {
  if (pixels.dim() != 4 || pixels.size(2) < 8 || pixels.size(3) < 8) {
    throw std::invalid_argument(fmt::format(
        "augmentations need images shaped [B, C, H, W] of at least 8x8 pixels, got {}; "
        "self-supervised pretraining is for image data (e.g. fashion-mnist, cifar10)",
        fmt::join(pixels.sizes(), "x")));
  }
  const auto batch = pixels.size(0);
  const auto device = pixels.device();
  const bool colour = pixels.size(1) == 3;
  auto view = crop_and_flip(pixels, options, generator);

  // Colour jitter, applied to an image with probability jitter_probability.
  const auto jitter = coin(batch, options.jitter_probability, generator);
  view = (view * jitter_factors(jitter, options.brightness, generator, device)).clamp(0, 1);
  const auto mean_luma = luma(view).mean({1, 2, 3}, /*keepdim=*/true);
  view = (mean_luma + (view - mean_luma) * jitter_factors(jitter, options.contrast, generator, device))
             .clamp(0, 1);
  if (colour) {
    const auto grey = luma(view);
    view = (grey + (view - grey) * jitter_factors(jitter, options.saturation, generator, device))
               .clamp(0, 1);
    const auto turns = torch::where(jitter, uniform(batch, -options.hue, options.hue, generator),
                                    torch::zeros({batch}, drawn_on(generator)));
    view = rotate_hue(view, turns).clamp(0, 1);
    const auto to_grey = coin(batch, options.grayscale_probability, generator)
                             .view({-1, 1, 1, 1})
                             .to(device);
    view = torch::where(to_grey, luma(view).expand_as(view), view);
  }
  return view;
}

torch::Tensor rotate(const torch::Tensor& images, std::int64_t quarter_turns) {
  if (images.dim() != 4 || images.size(2) != images.size(3)) {
    throw std::invalid_argument(fmt::format(
        "rotation needs square images shaped [B, C, H, W], got {}", fmt::join(images.sizes(), "x")));
  }
  return torch::rot90(images, quarter_turns, {2, 3});
}

}  // namespace al::engine
