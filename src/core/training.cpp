// Training, evaluation and the scoring pass: the three loops of a cycle.

#include "distributed.hpp"
#include "mixed_precision.hpp"
#include "unlabelled_steps.hpp"

#include <al/engine/training.hpp>
#include <al/seed.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace al::engine {

namespace {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(std::vector<torch::Tensor> parameters,
                                                        const train_recipe& recipe) {
  if (recipe.optimizer == optimizer::sgd) {
    return std::make_unique<torch::optim::SGD>(
        std::move(parameters), torch::optim::SGDOptions(recipe.learning_rate)
                                   .momentum(recipe.momentum)
                                   .weight_decay(recipe.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(
      std::move(parameters),
      torch::optim::AdamOptions(recipe.learning_rate).weight_decay(recipe.weight_decay));
}

/// A recipe that learns from unlabelled batches must be given them.
void check_unlabelled(const train_recipe& recipe, const unlabelled_batches& unlabelled) {
  const bool wanted = recipe.auxiliary_heads || recipe.consistency_weight > 0;
  if (!wanted) return;
  if (recipe.linear_probe) {
    throw std::invalid_argument(
        "a linear probe trains on fixed embeddings and cannot take MCDAL's or COD's unlabelled "
        "batches (AL035); drop linear_probe");
  }
  if (!unlabelled.images.defined() || !unlabelled.rows.defined() || unlabelled.rows.numel() == 0) {
    throw std::invalid_argument(
        "the recipe trains on unlabelled batches (MCDAL or COD) but no unlabelled images were "
        "given; pass the pool and its unlabelled rows in unlabelled_batches, or label less");
  }
  if (recipe.auxiliary_heads && unlabelled.heads == nullptr) {
    throw std::invalid_argument(
        "recipe.auxiliary_heads is set but unlabelled_batches.heads is null; pass MCDAL's "
        "auxiliary_heads");
  }
  if (recipe.consistency_weight > 0 &&
      (unlabelled.consistency == nullptr || !unlabelled.consistency->teacher)) {
    throw std::invalid_argument(
        "recipe.consistency_weight is set but unlabelled_batches.consistency holds no head and "
        "teacher; pass COD's consistency_training");
  }
}

void check_recipe(const train_recipe& recipe) {
  if (recipe.batch_size <= 0 || recipe.epochs < 0 || recipe.min_steps < 0 ||
      !(recipe.learning_rate > 0)) {
    throw std::invalid_argument(fmt::format(
        "train recipe needs batch_size > 0, epochs >= 0, min_steps >= 0 and lr > 0 "
        "(got batch_size={}, epochs={}, min_steps={}, lr={})",
        recipe.batch_size, recipe.epochs, recipe.min_steps, recipe.learning_rate));
  }
  if (recipe.linear_probe && recipe.probe_first) {
    throw std::invalid_argument(
        "recipe.linear_probe keeps the encoder frozen for good and recipe.probe_first fine-tunes "
        "it after the probe (AL036); set one of them");
  }
}

/// h(x) of every image, without gradients, in eval mode.
torch::Tensor embed_in_blocks(classifier& model, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  model.eval();
  constexpr std::int64_t block = 256;
  std::vector<torch::Tensor> parts;
  for (std::int64_t start = 0; start < images.size(0); start += block) {
    parts.push_back(model.embed(images.slice(0, start, std::min(images.size(0), start + block))));
  }
  return torch::cat(parts);
}

}  // namespace

training_summary train_classifier(classifier& model, const torch::Tensor& images,
                                  const torch::Tensor& labels, const train_recipe& recipe,
                                  std::uint64_t seed, const unlabelled_batches& unlabelled,
                                  const std::function<void(std::int64_t, std::int64_t)>& on_epoch) {
  check_recipe(recipe);
  if (recipe.probe_first) {
    // LP-FT: a linear probe on labelled data alone, then the same recipe on
    // the whole network, starting from the fitted head.
    auto probe = recipe;
    probe.probe_first = false;
    probe.linear_probe = true;
    probe.auxiliary_heads = false;
    probe.consistency_weight = 0;
    auto fine_tune = recipe;
    fine_tune.probe_first = false;
    const auto probed = train_classifier(model, images, labels, probe, seed);
    auto summary = train_classifier(model, images, labels, fine_tune, seed, unlabelled, on_epoch);
    summary.steps += probed.steps;
    return summary;
  }
  check_unlabelled(recipe, unlabelled);
  // In a data-parallel run every rank trains on its slice of each batch and
  // the gradients are summed (distributed.hpp); one process: the whole batch.
  auto* ranks = distributed::current();
  if (ranks != nullptr && (recipe.auxiliary_heads || recipe.consistency_weight > 0)) {
    throw std::invalid_argument(
        "MCDAL's auxiliary heads and COD's consistency training do not run data-parallel: run "
        "this pipeline in one process (alpipe: --distributed off, or without WORLD_SIZE)");
  }
  const std::int64_t n = images.size(0);
  if (n == 0) throw std::invalid_argument("cannot train on an empty labelled set");
  const std::int64_t steps_per_epoch = (n + recipe.batch_size - 1) / recipe.batch_size;
  // With few labels an epoch is a handful of steps; min_steps keeps the
  // smallest budgets from being undertrained.
  const std::int64_t epochs =
      std::max(recipe.epochs, (recipe.min_steps + steps_per_epoch - 1) / steps_per_epoch);

  // A linear probe trains the head on the frozen encoder's embeddings,
  // computed once in eval mode: the same as running the frozen encoder every
  // step, at a fraction of the cost. The encoder's parameters then get no
  // gradient, so the optimiser leaves them (and their weight decay) alone;
  // but only if no gradient is left over from an earlier training or from
  // pretraining: zero_grad() keeps a defined gradient at zero, and Adam's
  // weight decay would then move every "frozen" weight by about lr a step.
  for (auto& p : model.parameters()) p.mutable_grad() = torch::Tensor();
  const auto inputs = recipe.linear_probe ? embed_in_blocks(model, images) : images;
  auto* heads = recipe.auxiliary_heads ? unlabelled.heads : nullptr;
  auto* consistency = recipe.consistency_weight > 0 ? unlabelled.consistency : nullptr;
  // COD's consistency head learns with the model, in the same optimiser.
  auto parameters = model.parameters();
  if (consistency) {
    for (const auto& p : consistency->head->parameters()) parameters.push_back(p);
  }
  const auto trained = parameters;
  auto optimiser = make_optimizer(std::move(parameters), recipe);
  std::unique_ptr<torch::optim::Optimizer> heads_optimiser;
  if (heads) heads_optimiser = make_optimizer(heads->parameters(), recipe);
  // Every random stream lives on the images' device (seeded_generator): on
  // a GPU no batch order, pick or mask is copied from the host per step.
  const auto device = images.device();
  const auto on_device = torch::TensorOptions().device(device);
  auto generator = seeded_generator(device, seed);
  // Unlabelled batches have their own stream, so that turning MCDAL or COD
  // on leaves the labelled data order as it was.
  auto unlabelled_generator = seeded_generator(device, derive_seed(seed, "unlabelled batches"));
  const auto unlabelled_batch = [&] {
    const auto picks = torch::randint(unlabelled.rows.size(0), {recipe.batch_size},
                                      unlabelled_generator, on_device.dtype(torch::kLong));
    return unlabelled.images.index_select(0, unlabelled.rows.index_select(0, picks.to(unlabelled.rows.device())));
  };
  // The head dropout's masks come from the run's own stream, not Torch's
  // global generator, so that runs in parallel threads stay reproducible.
  // Masks are drawn for the whole batch and each rank keeps its slice's
  // rows, so the draws are those of one process.
  auto dropout_generator = seeded_generator(device, derive_seed(seed, "head dropout"));
  const auto head_dropout = [&](const torch::Tensor& h, std::int64_t batch_rows,
                                std::int64_t first) {
    const double p = model.head_dropout();
    if (p <= 0) return h;
    const auto keep = torch::empty({batch_rows, h.size(1)}, on_device.dtype(torch::kFloat))
                          .bernoulli_(1 - p, dropout_generator)
                          .slice(0, first, first + h.size(0));
    return h * keep.to(h.scalar_type()) / (1 - p);
  };
  // The schedule runs over the whole training, so it ends where the
  // training ends whatever the number of labels.
  const std::int64_t total_steps = epochs * steps_per_epoch;
  const auto set_learning_rate = [&](std::int64_t step) {
    const double rate = scheduled_learning_rate(recipe, step, total_steps);
    for (auto* o : {optimiser.get(), heads_optimiser.get()}) {
      if (!o) continue;
      for (auto& group : o->param_groups()) group.options().set_lr(rate);
    }
    return rate;
  };
  // Data-parallel: the gradients are summed over the ranks while backward runs.
  std::optional<distributed::gradient_buckets> summed_gradients;
  if (ranks) summed_gradients.emplace(*ranks, trained);
  model.train();
  if (heads) heads->train();
  training_summary summary;
  summary.epochs = epochs;
  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    const auto order = torch::randperm(n, generator, on_device.dtype(torch::kLong));
    auto loss_sum = torch::zeros({}, images.options());
    for (std::int64_t start = 0; start < n; start += recipe.batch_size) {
      const auto batch = order.slice(0, start, std::min(n, start + recipe.batch_size));
      const auto rows = batch.size(0);
      const auto [first, last] =
          ranks ? distributed::slice_of_batch(rows, ranks->rank(), ranks->size())
                : std::pair<std::int64_t, std::int64_t>{0, rows};
      const auto mine = batch.slice(0, first, last);
      const auto x = inputs.index_select(0, mine);
      const auto y = labels.index_select(0, mine);
      const auto u = heads || consistency ? unlabelled_batch() : torch::Tensor();
      summary.last_learning_rate = set_learning_rate(summary.steps);
      optimiser->zero_grad();
      torch::Tensor embedding_for_heads;  // MCDAL's heads learn from h(x) after the step
      if (last > first) {  // a rank whose slice is empty adds zero gradients
        torch::Tensor embedding, loss, classification_loss;
        {
          // The forward pass and its loss under bf16 autocast when asked;
          // backward runs outside, in the types the forward pass recorded.
          const detail::bf16_autocast mixed_precision(device, recipe.bf16);
          // model.forward, split so that MCDAL and COD can read h(x).
          embedding = recipe.linear_probe ? x : model.embed(x);
          const auto logits = model.head(head_dropout(embedding, rows, first));
          loss = torch::nn::functional::cross_entropy(logits, y);
          classification_loss = loss.detach();
          if (consistency) {
            const auto unlabelled_embedding = model.embed(u);
            const auto unlabelled_logits =
                model.head(head_dropout(unlabelled_embedding, unlabelled_embedding.size(0), 0));
            loss = loss + detail::consistency_loss(*consistency, x, embedding, logits, u,
                                                   unlabelled_embedding, unlabelled_logits,
                                                   recipe.consistency_weight);
          }
        }
        // The slice's mean, weighted by its share of the batch: summed over
        // the ranks, the gradient of the whole batch's mean.
        if (ranks) loss = loss * (static_cast<double>(last - first) / static_cast<double>(rows));
        loss.backward();
        // (in float32 for the heads, whatever autocast computed it in)
        if (heads) embedding_for_heads = embedding.detach().to(torch::kFloat);
        loss_sum += classification_loss * (last - first);
      }
      if (summed_gradients) summed_gradients->finish();
      optimiser->step();
      if (consistency) ema_update(*consistency->teacher, model, ema_decay(consistency->steps++));
      if (heads) detail::mcdal_update(model, *heads, *heads_optimiser, embedding_for_heads, y, u);
      ++summary.steps;
    }
    if (ranks) {
      std::vector<torch::Tensor> total{loss_sum};
      ranks->sum(total);
    }
    // One host sync per epoch, not per step.
    summary.final_loss = loss_sum.item<double>() / static_cast<double>(n);
    if (!std::isfinite(summary.final_loss)) {
      throw std::runtime_error(fmt::format(
          "training diverged: the loss is {} in epoch {} (step {}); lower the learning rate "
          "(train.lr(...)) or check the data for NaN",
          summary.final_loss, epoch + 1, summary.steps));
    }
    if (on_epoch) on_epoch(epoch + 1, epochs);
  }
  if (ranks) {
    // The parameters took the same summed steps on every rank; batch norm's
    // statistics saw only each rank's slices.
    distributed::average_buffers(*ranks, model);
    ranks->check_same(distributed::hash_of(model.parameters()), "the model's weights after training");
  }
  return summary;
}

double balanced_accuracy(const torch::Tensor& predictions, const torch::Tensor& labels,
                         std::int64_t num_classes) {
  const auto truth = labels.to(torch::kCPU, torch::kLong);
  const auto correct = predictions.to(torch::kCPU, torch::kLong).eq(truth).to(torch::kDouble);
  const auto total = torch::bincount(truth, {}, num_classes).to(torch::kDouble);
  const auto hits = torch::bincount(truth, correct, num_classes);
  // A class absent from the split has no recall; averaging a 0 for it would
  // punish the model for the split, not for its predictions.
  const auto present = total > 0;
  const auto classes = present.sum().item<std::int64_t>();
  if (classes == 0) return 0;
  return (hits.masked_select(present) / total.masked_select(present)).sum().item<double>() /
         static_cast<double>(classes);
}

evaluation evaluate(classifier& model, const labelled_images& split, std::int64_t num_classes,
                    std::int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  const std::int64_t n = split.size();
  // Data-parallel: each rank predicts its blocks, then all gather them.
  auto* ranks = distributed::current();
  const bool shared = ranks != nullptr && (n + batch_size - 1) / batch_size >= ranks->size();
  const auto [own_first, own_last] =
      shared ? distributed::blocks_of_rank(n, batch_size, ranks->rank(), ranks->size())
             : std::pair<std::int64_t, std::int64_t>{0, n};
  auto predicted = torch::empty({own_last - own_first}, split.labels.options());
  for (std::int64_t start = own_first; start < own_last; start += batch_size) {
    const auto end = std::min(own_last, start + batch_size);
    predicted.slice(0, start - own_first, end - own_first) =
        model.forward(split.images.slice(0, start, end)).argmax(1);
  }
  if (shared) predicted = ranks->gather_rows(predicted);
  const auto correct = predicted.eq(split.labels).to(torch::kCPU);
  const auto labels = split.labels.to(torch::kCPU);
  const auto per_class_total = torch::bincount(labels, {}, num_classes).to(torch::kDouble);
  const auto per_class_correct =
      torch::bincount(labels, correct.to(torch::kDouble), num_classes);
  const auto per_class = (per_class_correct / per_class_total.clamp_min(1)).contiguous();

  evaluation result;
  result.accuracy = correct.to(torch::kDouble).mean().item<double>();
  result.balanced_accuracy = balanced_accuracy(predicted, split.labels, num_classes);
  const auto* values = per_class.data_ptr<double>();
  result.per_class_accuracy.assign(values, values + num_classes);
  return result;
}

namespace {

/// Boundary distances read (W, b) instead of calling head(h); refuse a head
/// that is more than that linear map (a hidden layer, a normalisation), or
/// every distance would be wrong without a sign of it.
void check_linear_head(classifier& model, const torch::Tensor& embedding,
                       const torch::Tensor& weight, const torch::Tensor& bias) {
  const auto logits = model.head(embedding);
  if (weight.dim() != 2 || bias.dim() != 1 || weight.size(1) != embedding.size(1) ||
      weight.size(0) != logits.size(1) || bias.size(0) != logits.size(1)) {
    throw std::invalid_argument(fmt::format(
        "classifier::linear_head() gave W {} and b {}, but the embedding has {} dimensions and "
        "the head gives {} logits; return W [K, d] and b [K] of the head",
        c10::str(weight.sizes()), c10::str(bias.sizes()), embedding.size(1), logits.size(1)));
  }
  const auto linear = torch::addmm(bias, embedding, weight.t());
  if (!torch::allclose(logits, linear, 1e-4, 1e-4)) {
    throw std::invalid_argument(
        "boundary distances need head(h) = h W^T + b, but the model's head is not the linear "
        "layer classifier::linear_head() found (it holds more than one layer); override "
        "linear_head() in the model, or use another strategy");
  }
}

void check_mc_dropout(const classifier& model, std::int64_t passes) {
  if (passes < 2) {
    throw std::invalid_argument(fmt::format(
        "MC dropout needs at least 2 stochastic passes (got {}); e.g. bald.passes(20)", passes));
  }
  if (model.head_dropout() == 0 && !has_dropout(model)) {
    throw std::invalid_argument(
        "MC dropout needs dropout in the model, but it has no dropout module and no head "
        "dropout, so every pass would agree; call model.set_head_dropout(0.5) or add a "
        "torch::nn::Dropout");
  }
}

/// Dropout modules only; the model itself stays in eval mode, so batch norm
/// keeps normalising with its running statistics during the passes.
void set_dropout_training(classifier& model, bool on) {
  for (auto& module : model.modules(/*include_self=*/false)) {
    if (is_dropout(*module)) module->train(on);
  }
}

/// Which entries of h(x) survive head dropout in each pass.
struct head_dropout_masks {
  torch::Tensor keep;  // [rows, passes, width], bool, on the embeddings' device
  double scale = 1;    // 1 / P(keep), so that the expected input is unchanged
};

/// The random words behind `count` mask entries, four 16-bit uniforms each,
/// on the generator's device.
torch::Tensor head_dropout_bits(at::Generator& generator, std::int64_t count) {
  return torch::empty({(count + 3) / 4}, torch::TensorOptions(torch::kLong).device(generator.device()))
      .random_(std::numeric_limits<std::int64_t>::min(), c10::nullopt, generator);
}

/// Drawn from the pass's own generator on the embeddings' device
/// (seeded_generator), so the draws depend on the seed alone, not on other
/// users of Torch's generator, and no mask crosses from host to device.
/// Each 64-bit draw yields four 16-bit uniforms: bernoulli_ draws one number
/// per entry, which for T = 20 over 60k × 128 entries cost 2.0 s on one core
/// (a third of the encoder pass the head-only path saves repeating) against
/// 0.2 s for the bits. The keep probability is thus rounded to a multiple
/// of 1/65536.
head_dropout_masks draw_head_dropout(at::Generator& generator, std::int64_t rows,
                                     std::int64_t passes, std::int64_t width, double p) {
  constexpr std::int64_t levels = 65536;
  const auto count = rows * passes * width;
  const auto bits = head_dropout_bits(generator, count);
  const auto kept_levels =
      std::clamp<std::int64_t>(std::llround(static_cast<double>(levels) * (1 - p)), 1, levels - 1);
  // The 16-bit words are uniform on [-32768, 32767]; kept_levels of them pass.
  const auto keep = bits.view(torch::kShort).slice(0, 0, count).lt(kept_levels - levels / 2);
  return {keep.view({rows, passes, width}),
          static_cast<double>(levels) / static_cast<double>(kept_levels)};
}

/// [B, T, K] softmaxes from one embedding per sample: only the head is
/// sampled, all T passes in one batched head call.
torch::Tensor sample_head(classifier& model, const torch::Tensor& embedding, std::int64_t passes,
                          at::Generator& generator) {
  const auto rows = embedding.size(0);
  const auto width = embedding.size(1);
  auto samples = embedding.unsqueeze(1).expand({rows, passes, width});
  if (model.head_dropout() > 0) {
    const auto masks = draw_head_dropout(generator, rows, passes, width, model.head_dropout());
    // Scaling the [B, d] embedding first leaves one [B, T, d] product.
    samples = (embedding * masks.scale).unsqueeze(1) * masks.keep;
  }
  const auto logits = model.head(samples.reshape({rows * passes, width}));
  return torch::softmax(logits, 1).view({rows, passes, -1});
}

/// [B, T, K] softmaxes from T whole passes, for a model with dropout inside
/// its encoder. Masks are drawn as sample_head draws them, so on a model
/// whose encoder is in fact deterministic both give the same scores.
torch::Tensor sample_full(classifier& model, const torch::Tensor& images, std::int64_t passes,
                          at::Generator& generator) {
  std::vector<torch::Tensor> probs;
  probs.reserve(static_cast<std::size_t>(passes));
  head_dropout_masks masks;
  for (std::int64_t t = 0; t < passes; ++t) {
    auto embedding = model.embed(images);
    if (model.head_dropout() > 0) {
      if (!masks.keep.defined()) {
        masks = draw_head_dropout(generator, embedding.size(0), passes, embedding.size(1),
                                  model.head_dropout());
      }
      embedding = (embedding * masks.scale) * masks.keep.select(1, t);
    }
    probs.push_back(torch::softmax(model.head(embedding), 1));
  }
  return torch::stack(probs, 1);
}

}  // namespace

pool_outputs scoring_pass(classifier& model, const torch::Tensor& images,
                          const torch::Tensor& indices, needs_set needs,
                          std::int64_t batch_size, std::int64_t mc_passes,
                          std::uint64_t mc_seed, auxiliary_heads* heads) {
  pool_outputs out;
  const bool want_aux = needs.contains(need::aux_heads);
  if (want_aux && heads == nullptr) {
    throw std::invalid_argument(
        "the scoring pass needs MCDAL's auxiliary heads (need::aux_heads) but none were given");
  }
  if (want_aux) heads->eval();
  const bool want_probs = needs.contains(need::probs);
  const bool want_embedding = needs.contains(need::embedding);
  const bool want_mc = needs.contains(need::mc_dropout);
  const bool want_head = needs.contains(need::head_weights);
  if (want_head) {
    auto [weight, bias] = model.linear_head();
    out.head_weight = weight.clone();
    out.head_bias = bias.clone();
  }
  if (!want_probs && !want_embedding && !want_mc && !want_aux) return out;  // e.g. random: no pass at all
  if (want_mc) check_mc_dropout(model, mc_passes);

  torch::NoGradGuard no_grad;
  model.eval();
  const bool head_only = want_mc && !model.stochastic_encoder();
  auto generator = seeded_generator(images.device(), mc_seed);
  const auto on_device = indices.to(images.device());
  const std::int64_t n = on_device.size(0);
  // Data-parallel: each rank scores whole blocks of its own, and every rank
  // gathers all of them, in order. A pool smaller than a block per rank is
  // scored by every rank alone.
  auto* ranks = distributed::current();
  const bool shared = ranks != nullptr && (n + batch_size - 1) / batch_size >= ranks->size();
  const auto [own_first, own_last] =
      shared ? distributed::blocks_of_rank(n, batch_size, ranks->rank(), ranks->size())
             : std::pair<std::int64_t, std::int64_t>{0, n};
  const auto own_rows = own_last - own_first;
  // The head-dropout masks come from one stream over all blocks: a rank
  // draws (and drops) the words of the blocks before its own, so that its
  // masks are those one process would draw.
  if (want_mc && model.head_dropout() > 0 && own_first > 0) {
    const auto width = model.embed(images.index_select(0, on_device.slice(0, 0, 1))).size(1);
    for (std::int64_t start = 0; start < own_first; start += batch_size) {
      head_dropout_bits(generator, (std::min(own_first, start + batch_size) - start) * mc_passes * width);
    }
  }
  for (std::int64_t start = own_first; start < own_last; start += batch_size) {
    const auto end = std::min(own_last, start + batch_size);
    const auto at = start - own_first, to = end - own_first;  // rows of this rank's outputs
    const auto block = images.index_select(0, on_device.slice(0, start, end));
    torch::Tensor embedding;
    if (want_probs || want_embedding || head_only || want_head || want_aux) {
      embedding = model.embed(block);
    }
    if (want_aux) {
      const auto aux = heads->probs(embedding);
      if (!out.aux_probs.defined()) out.aux_probs = torch::empty({own_rows, 2, aux.size(2)}, aux.options());
      out.aux_probs.slice(0, at, to) = aux;
    }
    if (want_head && start == own_first) check_linear_head(model, embedding, out.head_weight, out.head_bias);
    if (want_embedding) {
      if (!out.embedding.defined()) out.embedding = torch::empty({own_rows, embedding.size(1)}, embedding.options());
      out.embedding.slice(0, at, to) = embedding;
    }
    if (want_probs) {
      // The deterministic prediction; the MC samples below only feed BALD.
      const auto probs = torch::softmax(model.head(embedding), 1);
      if (!out.probs.defined()) out.probs = torch::empty({own_rows, probs.size(1)}, probs.options());
      out.probs.slice(0, at, to) = probs;
    }
    if (want_mc) {
      set_dropout_training(model, true);
      const auto mc_probs = head_only ? sample_head(model, embedding, mc_passes, generator)
                                      : sample_full(model, block, mc_passes, generator);
      set_dropout_training(model, false);
      const auto information = bald_scores(mc_probs);
      if (!out.mutual_information.defined()) out.mutual_information = torch::empty({own_rows}, information.options());
      out.mutual_information.slice(0, at, to) = information;
    }
  }
  if (shared) {
    for (auto* gathered : {&out.aux_probs, &out.embedding, &out.probs, &out.mutual_information}) {
      if (gathered->defined()) *gathered = ranks->gather_rows(*gathered);
    }
  }
  return out;
}

}  // namespace al::engine
