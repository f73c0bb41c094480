// COD, TOD's semi-supervised loss (Huang et al. 2021): a consistency head and
// an exponential-moving-average teacher regularise the model on unlabelled
// data.

#include "unlabelled_steps.hpp"

#include <algorithm>

namespace al::engine {

double ema_decay(std::int64_t step) {
  return std::min(1.0 - 1.0 / static_cast<double>(step + 1), 0.999);
}

void ema_update(classifier& teacher, classifier& student, double alpha) {
  torch::NoGradGuard no_grad;
  const auto teacher_parameters = teacher.parameters();
  const auto student_parameters = student.parameters();
  const auto teacher_buffers = teacher.buffers();
  const auto student_buffers = student.buffers();
  if (teacher_parameters.size() != student_parameters.size() ||
      teacher_buffers.size() != student_buffers.size()) {
    throw std::invalid_argument(
        "the EMA teacher must have the model's architecture: build it with the same model "
        "factory");
  }
  for (std::size_t i = 0; i < teacher_parameters.size(); ++i) {
    teacher_parameters[i].mul_(alpha).add_(student_parameters[i], 1.0 - alpha);
  }
  for (std::size_t i = 0; i < teacher_buffers.size(); ++i) {
    teacher_buffers[i].copy_(student_buffers[i]);
  }
}

namespace detail {

torch::Tensor consistency_loss(consistency_training& state, const torch::Tensor& labelled_images,
                               const torch::Tensor& labelled_embedding,
                               const torch::Tensor& labelled_logits,
                               const torch::Tensor& unlabelled_images,
                               const torch::Tensor& unlabelled_embedding,
                               const torch::Tensor& unlabelled_logits, double weight) {
  namespace F = torch::nn::functional;
  const auto f = torch::cat({labelled_logits, unlabelled_logits});
  const auto g = state.head(torch::cat({labelled_embedding, unlabelled_embedding}));
  torch::Tensor teacher_logits;
  {
    // The teacher is a target: no gradient, and eval mode so that its batch
    // norm uses the statistics it copied from the model.
    torch::NoGradGuard no_grad;
    state.teacher->eval();
    teacher_logits = state.teacher->forward(torch::cat({labelled_images, unlabelled_images}));
  }
  return weight * (F::mse_loss(f, g) + F::mse_loss(g, teacher_logits));
}

}  // namespace detail
}  // namespace al::engine
