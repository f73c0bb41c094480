// MCDAL (Cho et al.): two auxiliary heads trained to disagree on unlabelled
// data while agreeing with the labels; their disagreement is the score.

#include "unlabelled_steps.hpp"

namespace al::engine {

auxiliary_heads::auxiliary_heads(std::int64_t embedding_width, std::int64_t num_classes)
    : first(register_module("first", torch::nn::Linear(embedding_width, num_classes))),
      second(register_module("second", torch::nn::Linear(embedding_width, num_classes))) {}

torch::Tensor auxiliary_heads::probs(const torch::Tensor& embedding) {
  return torch::stack({torch::softmax(first(embedding), 1), torch::softmax(second(embedding), 1)},
                      1);
}

namespace detail {

namespace {

/// d(a, b) of MCDAL: the mean absolute difference over batch and classes.
torch::Tensor discrepancy(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().mean();
}

torch::Tensor heads_cross_entropy(auxiliary_heads& heads, const torch::Tensor& embedding,
                                  const torch::Tensor& labels) {
  namespace F = torch::nn::functional;
  return F::cross_entropy(heads.first(embedding), labels) +
         F::cross_entropy(heads.second(embedding), labels);
}

}  // namespace

void mcdal_update(classifier& model, auxiliary_heads& heads, torch::optim::Optimizer& optimiser,
                  const torch::Tensor& labelled_embedding, const torch::Tensor& labels,
                  const torch::Tensor& unlabelled) {
  // The heads read embeddings only; nothing here may reach the encoder.
  torch::Tensor unlabelled_embedding, main_probs;
  {
    torch::NoGradGuard no_grad;
    unlabelled_embedding = model.embed(unlabelled);
    main_probs = torch::softmax(model.head(unlabelled_embedding), 1);
  }
  // (B) both auxiliary heads learn the labels.
  optimiser.zero_grad();
  heads_cross_entropy(heads, labelled_embedding, labels).backward();
  optimiser.step();
  // (C) ... and, still bound by the labels, disagree on unlabelled data as
  // much as they can, with each other and with the model's head.
  optimiser.zero_grad();
  const auto p1 = torch::softmax(heads.first(unlabelled_embedding), 1);
  const auto p2 = torch::softmax(heads.second(unlabelled_embedding), 1);
  const auto disagreement =
      discrepancy(p1, p2) + discrepancy(p1, main_probs) + discrepancy(p2, main_probs);
  (heads_cross_entropy(heads, labelled_embedding, labels) - disagreement).backward();
  optimiser.step();
}

}  // namespace detail
}  // namespace al::engine
