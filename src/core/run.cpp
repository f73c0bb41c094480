// al::run_plan — executes a plan step by step on the engine.

#include "checkpoint.hpp"
#include "distributed.hpp"
#include "../oracle/folder_lock.hpp"
#include "oracle.hpp"
#include "progress_line.hpp"
#include "results_folder.hpp"
#include "seeded_construction.hpp"
#include "../pretrain/encoder_cache.hpp"
#include "../select/candidate_rows.hpp"

#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/pool.hpp>
#include <al/engine/pretrain.hpp>
#include <al/engine/selection.hpp>
#include <al/engine/set_selection.hpp>
#include <al/engine/training.hpp>
#include <al/errors.hpp>
#include <al/experiment/plan_json.hpp>
#include <al/explain.hpp>
#include <al/metrics/agreement.hpp>
#include <al/pretrain_cache.hpp>
#include <al/run.hpp>
#include <al/seed.hpp>

#include <fmt/format.h>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/indices.hpp>

#include <c10/core/DeviceGuard.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <variant>

namespace al {
namespace {

using engine::classifier;
using engine::detail::to_rows;
using engine::detail::to_vector;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Builds the model under the run's seed.
std::shared_ptr<classifier> build_model(const config& c, const engine::input_shape& shape) {
  auto model = engine::construct_seeded(derive_seed(c.seed, "weights"), [&] {
    return c.custom_model ? c.custom_model(shape) : engine::make_builtin_model(c.model, shape);
  });
  if (!model) {
    throw std::invalid_argument("config.custom_model returned no model; return a "
                                "std::shared_ptr to an al::engine::classifier");
  }
  return model;
}

/// The weights a run starts from, restored before every training unless the
/// recipe warm-starts.
class weight_snapshot {
 public:
  explicit weight_snapshot(const torch::nn::Module& module) {
    for (const auto& t : module.parameters()) saved_.push_back(t.detach().clone());
    for (const auto& t : module.buffers()) saved_.push_back(t.detach().clone());
  }
  void restore(torch::nn::Module& module) const {
    torch::NoGradGuard no_grad;
    std::size_t k = 0;
    for (auto& t : module.parameters()) t.copy_(saved_[k++]);
    for (auto& t : module.buffers()) t.copy_(saved_[k++]);
  }

 private:
  std::vector<torch::Tensor> saved_;
};

/// `to` takes `from`'s weights; both built by the same model factory.
void copy_weights(const classifier& from, classifier& to) { weight_snapshot(from).restore(to); }

/// The width d of the model's embedding h(x).
std::int64_t embedding_width(classifier& model, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.embed(images.slice(0, 0, 1)).size(1);
}

/// Whether any training of the plan has `flag` set.
template <class Flag>
bool any_training(const plan& p, Flag flag) {
  for (const auto& s : p.steps) {
    if (const auto* train = std::get_if<train_step>(&s); train && flag(train->recipe)) return true;
  }
  return false;
}

torch::Tensor to_tensor(const std::vector<std::int64_t>& v) {
  return torch::tensor(v, torch::kLong);
}

/// Whether any selection of the plan samples MC dropout, the initial one too.
bool samples_mc_dropout(const plan& p) {
  if (p.scoring_outputs().contains(need::mc_dropout)) return true;
  for (const auto& s : p.steps) {
    if (const auto* first = std::get_if<label_initial_step>(&s)) {
      if (first->selector.needs.contains(need::mc_dropout)) return true;
    }
  }
  return false;
}

std::string default_run_name(const plan& p, const config& c) {
  std::string strategy = "initial";
  for (const auto& s : p.steps) {
    if (const auto* select = std::get_if<select_step>(&s)) {
      strategy = select->selector.name;
      break;
    }
  }
  return fmt::format("{}-seed{}", strategy, c.seed);
}

/// Everything one run holds while it executes its plan.
class plan_runner {
 public:
  /// `ranks`: the job's processes in a data-parallel run (null alone), of
  /// which `local_ranks` share this machine.
  plan_runner(const plan& p, const config& c, engine::distributed::group* ranks, int local_ranks)
      : plan_(p), config_(c), ranks_(ranks), writer_(ranks == nullptr || ranks->rank() == 0),
        verbose_(c.verbose && writer_) {
    // The ranks of one machine share its cores.
    engine::check_thread_count(c.threads);
    engine::set_torch_threads(
        c.threads > 0 || local_ranks <= 1
            ? c.threads
            : std::max(1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) /
                              local_ranks));
    if (ranks_) refuse_single_process_only(p, c);
    device_ = engine::resolve_device(c.device);
    scoring_batch_ = engine::scoring_batch_for(device_);
    // Whatever this thread's current CUDA device was, the run's kernels,
    // streams and library handles go to its own (cuda:N), and the thread's
    // device is restored when the run ends.
    if (device_.is_cuda()) device_guard_.emplace(device_);
    data_ = engine::load_dataset(c.data);
    // Fail before any training, not cycles later at the query that runs dry.
    if (p.label_budget() > data_.train.size()) {
      errors::AL017_budget_exceeds_pool(p.label_budget(), data_.train.size());
    }
    report_.device = engine::device_name(device_);
    report_.rank = ranks_ ? ranks_->rank() : 0;
    run_name_ = c.run_name.empty() ? default_run_name(p, c) : c.run_name;
    plan_text_ = explain(p);
    // The run's identity names the kind of device, not its number: a run
    // begun on cuda:0 may be resumed on cuda:1.
    config_text_ = engine::config_json(c, device_.is_cuda() ? "cuda" : "cpu",
                                       c.custom_model ? "custom" : c.model,
                                       ranks_ ? ranks_->size() : 1);
    identity_ = engine::run_identity(plan_text_, config_text_);
    folder_ = c.results_dir / run_name_;
    report_.folder = folder_;
    // Rank 0 alone reads and writes the results folder; when it stops here,
    // the other ranks stop with it.
    on_writer_then_agree("opening the results folder", [&] { open_results_folder(); });
    oracle_ = std::make_unique<engine::oracle>(c.oracle, data_, c.seed, folder_);
    const auto& images = data_.train.images;
    shape_ = {images.size(1), images.size(2), images.size(3), data_.num_classes()};
    model_ = build_model(c, shape_);
    // MC dropout needs dropout to sample; a user's model that brings its own
    // is left as written.
    if (samples_mc_dropout(p) && !engine::has_dropout(*model_)) {
      model_->set_head_dropout(engine::mc_head_dropout);
    }
    engine::place_model(*model_, device_);
    pool_images_ = data_.train.images.to(device_);
    check_ranks_agree();
  }

  /// Refuses what does not run data-parallel yet, before any work.
  static void refuse_single_process_only(const plan& p, const config& c) {
    if (c.oracle.kind == oracle_kind::human) {
      throw std::invalid_argument(
          "a person's labels (--oracle human) come one query at a time, with the run stopped "
          "between them: run it in one process (alpipe: --distributed off, or without WORLD_SIZE)");
    }
    if (any_training(p, [](const train_recipe& r) {
          return r.auxiliary_heads || r.consistency_weight > 0;
        })) {
      throw std::invalid_argument(
          "MCDAL's auxiliary heads and COD's consistency training do not run data-parallel: run "
          "this pipeline in one process (alpipe: --distributed off, or without WORLD_SIZE)");
    }
  }

  /// Rank 0's part of the job (all of it alone), then, data-parallel, every
  /// rank learns whether it succeeded: a failure on rank 0 stops them all
  /// here, instead of leaving the others waiting in a collective.
  template <class Work>
  void on_writer_then_agree(std::string_view what, Work&& work) {
    if (!ranks_) {
      work();
      return;
    }
    std::exception_ptr failure;
    if (writer_) {
      try {
        work();
      } catch (...) {
        failure = std::current_exception();
      }
    }
    const bool ok = ranks_->all(failure == nullptr);
    if (failure) std::rethrow_exception(failure);
    if (!ok) {
      throw std::runtime_error(fmt::format(
          "rank 0 stopped while {}; its output says why (rank {} stops with it)", what,
          ranks_->rank()));
    }
  }

  /// Locks the results folder for this process, refuses another run's, and
  /// reads the cycles an earlier call finished.
  void open_results_folder() {
    // Locked for this process from here on: a second process on the same
    // folder stops here (or waits), before it reads or writes anything.
    results_ = std::make_unique<engine::results_folder>(
        folder_, identity_,
        config_.wait_for_lock ? oracle_detail::folder_lock::when_held::wait
                              : oracle_detail::folder_lock::when_held::fail);
    // A results folder holds one run: refuse before any work, never mix.
    if (const auto difference = engine::run_mismatch(*results_, plan_text_, config_text_)) {
      throw std::invalid_argument(fmt::format(
          "the results folder {} holds another run ({}); a folder holds one run, resumed when the "
          "same command runs again: give this run another folder (config.run_name or "
          "config.results_dir; alpipe: --out) or delete that one to start over",
          folder_.string(), *difference));
    }
    // A damaged cycles.jsonl stops the run here, before pretraining and
    // before a byte is written.
    recorded_cycles_ = results_->finished_cycles();
  }

  /// Data-parallel: every rank must hold the same run, data and weights, or
  /// the summed gradients would mean nothing.
  void check_ranks_agree() {
    if (!ranks_) return;
    ranks_->check_same(std::hash<std::string>{}(identity_), "the plan and config");
    ranks_->check_same(
        engine::distributed::hash_of({data_.train.images, data_.train.labels, data_.test.labels}),
        "the data set");
    ranks_->check_same(engine::distributed::hash_of(model_->parameters()),
                       "the model's initial weights");
  }

  /// Everything the cycles need, once the plan's pretraining (if any) has
  /// run: the weights every training starts from, the modules kept beside
  /// the model, the results written so far, and where to resume.
  void start_cycles() {
    started_ = true;
    // Every training starts from these weights: the pretrained encoder when
    // the plan pretrains.
    initial_weights_ = std::make_unique<weight_snapshot>(*model_);
    build_companions();
    pool_labels_ = data_.train.labels.to(device_);
    answers_ = torch::full({data_.train.size()}, -1, torch::kLong).to(device_);
    test_ = {data_.test.images.to(device_), data_.test.labels.to(device_)};
    pool_ = std::make_unique<engine::pool_state>(data_.train.size());
    // TypiClust and ProbCover measure the pool in the pretrained encoder's
    // space, which stays fixed: one pass now, before any fine-tuning.
    if (plan_.pretraining() != nullptr && plan_uses(need::encoder_embedding)) {
      pool_encoder_embedding_ =
          engine::scoring_pass(*model_, pool_images_,
                               torch::arange(data_.train.size(), torch::kLong), need::embedding,
                               scoring_batch_)
              .embedding;
    }

    on_writer_then_agree("writing the results folder", [&] {
      results_->write_file("plan.txt", plan_text_);
      results_->write_file("plan.json", plan_json(plan_));
      results_->write_file("config.json", config_text_);
      results_->write_file("versions.json", engine::versions_json(report_.device));
      if (report_.pretraining) {
        results_->write_file("pretraining.json", engine::pretraining_json(*report_.pretraining));
      }
    });
    // The stop set: the same samples for every strategy run under a seed.
    auto generator = at::make_generator<at::CPUGeneratorImpl>(derive_seed(config_.seed, "stop_set"));
    stop_set_ = std::get<0>(torch::randperm(data_.train.size(), generator)
                                .narrow(0, 0, std::min(stop_set_size, data_.train.size()))
                                .sort());
    resume();
    // The next cycle's agreement compares with the model the resumed run
    // ended with, which the checkpoint (or the retraining) restored.
    if (resume_after_ >= 0) previous_stop_predictions_ = stop_set_predictions();
    progress_ = std::make_unique<engine::progress_line>(run_name_, resume_after_ + 1,
                                                        plan_.cycles(), !verbose_);
  }

  /// Where an earlier, interrupted call of the same run left off.
  struct resume_point {
    std::vector<cycle_result> finished;  // the cycles kept, each with its labels
    int after = -1;                      // the last of them; -1: start afresh
    bool rebuild = false;                // retrain to rebuild an untrusted checkpoint
    std::int64_t trainings = 0;
    bool has_previous_model = false;
    std::int64_t cod_steps = 0;
  };

  /// Continues after the last cycle both cycles.jsonl and the checkpoint
  /// hold; a cycle only one of them holds (a kill between the two writes)
  /// runs again. Its seeds are derived from the cycle, so it runs the same.
  /// A checkpoint that cannot be trusted (missing, damaged, another run's)
  /// is rebuilt by retraining from the labels cycles.jsonl records, which
  /// gives the weights the uninterrupted run had. Data-parallel, rank 0
  /// reads the folder and the other ranks learn from it where to go on.
  void resume() {
    resume_point point;
    on_writer_then_agree("reading the checkpoint", [&] { point = read_resume_point(); });
    if (ranks_) share(point);
    trainings_done_ = static_cast<int>(point.trainings);
    has_previous_model_ = point.has_previous_model;
    if (consistency_) consistency_->steps = point.cod_steps;
    if (point.rebuild) {
      retrain_through(point.finished);
    } else {
      for (const auto& cycle : point.finished) {
        record_labels(cycle.queried, cycle.labels, cycle.cycle, "resumed");
      }
    }
    for (auto& cycle : point.finished) report_.cycles.push_back(std::move(cycle));
    resume_after_ = point.after;
    report_.resumed_after = point.after;
    if (point.after >= 0 && verbose_) {
      fmt::print("[{}] resuming after cycle {} ({} labels): {} of the plan's {} cycles were "
                 "finished\n",
                 run_name_, point.after, pool_->labelled_count(), point.after + 1,
                 plan_.cycles() + 1);
    }
  }

  /// The resume point the folder holds, and cycles.jsonl cut back to it; a
  /// trusted checkpoint's weights are loaded into the modules on the way.
  resume_point read_resume_point() {
    resume_point point;
    auto finished = std::move(recorded_cycles_);
    if (!finished.empty()) {
      const auto loaded =
          engine::load_checkpoint(checkpoint_file(), checkpoint_modules(), identity_);
      const auto it = loaded.counters.find("cycle");
      const int last = finished.back().cycle;
      if (!loaded.usable() || it == loaded.counters.end()) {
        warn(fmt::format("{} {}; retraining cycles 0 to {} from the labels in cycles.jsonl to "
                         "rebuild it (the results stay those of an uninterrupted run)",
                         checkpoint_file().string(),
                         loaded.found ? "cannot be trusted: " + loaded.problem : "is missing",
                         last));
        point.rebuild = true;
        point.after = last;
      } else if (it->second > last) {
        // The line is synced before the checkpoint is written, so this is
        // not a kill: cycles.jsonl lost lines the checkpoint had seen.
        warn(fmt::format("{} is of cycle {} but cycles.jsonl ends at cycle {}; retraining cycles 0 "
                         "to {} from the labels it records",
                         checkpoint_file().string(), it->second, last, last));
        point.rebuild = true;
        point.after = last;
      } else {
        point.after = static_cast<int>(it->second);
        point.trainings = loaded.counters.at("trainings");
        point.has_previous_model = loaded.counters.at("has_previous_model") != 0;
        point.cod_steps = loaded.counters.at("cod_steps");
      }
    }
    std::erase_if(finished, [&](const cycle_result& c) { return c.cycle > point.after; });
    results_->keep_cycles(finished);
    for (auto& cycle : finished) {
      // Results written before the oracle's answers were recorded had the
      // ground truth as their oracle.
      if (cycle.labels.empty()) cycle.labels = true_classes(cycle.queried);
    }
    point.finished = std::move(finished);
    return point;
  }

  /// Rank 0's resume point, and the weights it loaded, on every rank.
  void share(resume_point& point) {
    std::vector<std::int64_t> values;
    if (writer_) {
      values = {point.after, point.rebuild ? 1 : 0, point.trainings,
                point.has_previous_model ? 1 : 0, point.cod_steps};
      for (const auto& cycle : point.finished) {
        values.push_back(cycle.cycle);
        values.push_back(static_cast<std::int64_t>(cycle.queried.size()));
        values.insert(values.end(), cycle.queried.begin(), cycle.queried.end());
        values.insert(values.end(), cycle.labels.begin(), cycle.labels.end());
      }
    }
    ranks_->broadcast(values);
    if (!writer_) {
      point = {};
      point.after = static_cast<int>(values[0]);
      point.rebuild = values[1] != 0;
      point.trainings = values[2];
      point.has_previous_model = values[3] != 0;
      point.cod_steps = values[4];
      for (auto at = values.begin() + 5; at != values.end();) {
        cycle_result cycle;
        cycle.cycle = static_cast<int>(*at++);
        const auto count = *at++;
        cycle.queried.assign(at, at + count);
        at += count;
        cycle.labels.assign(at, at + count);
        at += count;
        point.finished.push_back(std::move(cycle));
      }
    }
    if (point.after >= 0 && !point.rebuild) {
      for (const auto& m : checkpoint_modules()) engine::distributed::broadcast_module(*ranks_, *m.module);
    }
  }

  /// Replays the trainings of the finished cycles with the labels they
  /// recorded — no scoring, selection or evaluation, which the records
  /// already hold — then saves the checkpoint the run should have had.
  void retrain_through(const std::vector<cycle_result>& finished) {
    restart_training_state();
    trainings_done_ = 0;
    has_previous_model_ = false;
    const int last = finished.back().cycle;
    for (const auto& s : plan_.steps) {
      const int cycle = cycle_of(s);
      if (cycle > last) break;
      const auto& record = finished[static_cast<std::size_t>(cycle)];
      if (std::holds_alternative<label_initial_step>(s) || std::holds_alternative<label_step>(s)) {
        record_labels(record.queried, record.labels, cycle, "resumed");
      } else if (const auto* train = std::get_if<train_step>(&s)) {
        train_model(*train, [](std::int64_t, std::int64_t) {});
      }
    }
    save_checkpoint(last);
  }

  static void warn(const std::string& message) { fmt::print(stderr, "alpipe: {}\n", message); }

  std::filesystem::path checkpoint_file() const { return folder_ / "checkpoint.pt"; }

  std::vector<engine::named_module> checkpoint_modules() {
    std::vector<engine::named_module> modules{{"model", model_.get()}};
    if (aux_heads_) modules.push_back({"mcdal_heads", aux_heads_.get()});
    if (consistency_) {
      modules.push_back({"cod_head", consistency_->head.get()});
      modules.push_back({"cod_teacher", consistency_->teacher.get()});
    }
    if (previous_model_) modules.push_back({"previous_model", previous_model_.get()});
    return modules;
  }

  void save_checkpoint(int cycle) {
    on_writer_then_agree("saving the checkpoint", [&] {
      engine::save_checkpoint(checkpoint_file(), checkpoint_modules(),
                              {{"cycle", cycle},
                               {"trainings", trainings_done_},
                               {"has_previous_model", has_previous_model_ ? 1 : 0},
                               {"cod_steps", consistency_ ? consistency_->steps : 0}},
                              identity_);
    });
  }

  /// Loads the pretrained encoder from the cache, or pretrains it (and
  /// saves it there). PT4AL's batches come from the pretext losses.
  void pretrain(const pretrain_recipe& recipe) {
    const auto start = std::chrono::steady_clock::now();
    pretraining_record record;
    record.pretext = std::string(to_string(recipe.pretext));
    const auto key = pretrain_cache_key(recipe, config_);
    if (config_.pretrain_cache) record.cache_file = pretrain_cache_file(recipe, config_);
    // Held until the encoder is in the cache: a second run that needs the
    // same encoder waits here, then loads it instead of computing it again.
    // Data-parallel, rank 0 alone holds the lock and reads the cache.
    std::unique_ptr<oracle_detail::folder_lock> cache_lock;
    std::optional<engine::cached_pretraining> cached;
    if (config_.pretrain_cache) {
      on_writer_then_agree("reading the pretraining cache", [&] {
        std::filesystem::create_directories(record.cache_file.parent_path());
        auto lock_file = record.cache_file;
        lock_file += ".lock";
        cache_lock = std::make_unique<oracle_detail::folder_lock>(
            lock_file, fmt::format("the pretraining cache file {}", record.cache_file.string()),
            oracle_detail::folder_lock::when_held::wait);
        cached = engine::load_pretrained(record.cache_file, key, *model_, warn);
      });
      if (ranks_) share(cached);
    }
    if (cached) {
      record.from_cache = true;
      pretext_loss_ = cached->pretext_loss;
    } else {
      const auto on_epoch = [&](std::int64_t epoch, double loss) {
        if (!verbose_) return;
        fmt::print("[pretrain {}] epoch {}/{}: loss {:.4f} ({:.0f} s)\n", record.pretext, epoch,
                   recipe.epochs, loss, seconds_since(start));
        std::fflush(stdout);
      };
      const auto summary = engine::pretrain_encoder(
          *model_, pool_images_, {data_.channel_mean, data_.channel_std}, recipe,
          derive_seed(config_.seed, "pretrain"), on_epoch);
      record.steps = summary.steps;
      record.final_loss = summary.final_loss;
      pretext_loss_ = summary.pretext_loss;
      if (config_.pretrain_cache) {
        on_writer_then_agree("saving the pretraining cache", [&] {
          engine::save_pretrained(record.cache_file, key, *model_, pretext_loss_);
        });
      }
    }
    if (recipe.pretext == pretext::rotation) {
      if (!pretext_loss_.defined() || pretext_loss_.size(0) != pool_images_.size(0)) {
        throw std::runtime_error("pretrain(rotation) gave no pretext loss per pool image");
      }
      pretext_batch_ = engine::pt4al_batches(pretext_loss_, plan_.rounds());
    }
    record.seconds = seconds_since(start);
    if (verbose_) {
      fmt::print("[pretrain {}] {} in {:.1f} s\n", record.pretext,
                 record.from_cache ? "encoder loaded from " + record.cache_file.string()
                                   : std::string("done"),
                 record.seconds);
    }
    report_.pretraining = record;
  }

  /// Whether rank 0 found the encoder in the cache, and then its weights and
  /// pretext losses, on every rank.
  void share(std::optional<engine::cached_pretraining>& cached) {
    std::vector<std::int64_t> found;
    if (writer_) {
      found = {cached ? 1 : 0, cached && cached->pretext_loss.defined() ? cached->pretext_loss.size(0) : -1};
    }
    ranks_->broadcast(found);
    if (found[0] == 0) return;
    if (!writer_) cached = engine::cached_pretraining{};
    engine::distributed::broadcast_module(*ranks_, *model_);
    if (found[1] >= 0) {
      if (!writer_) cached->pretext_loss = torch::empty({found[1]}, torch::kFloat32);
      std::vector<torch::Tensor> loss{cached->pretext_loss};
      ranks_->broadcast(loss);
    }
  }

  /// The modules some strategies and recipes keep beside the model: MCDAL's
  /// auxiliary heads, COD's consistency head and teacher, TOD's previous
  /// model. Each is seeded on its own, so adding one leaves the model's
  /// initial weights as they are.
  void build_companions() {
    const auto width = embedding_width(*model_, pool_images_);
    const auto classes = data_.num_classes();
    if (any_training(plan_, [](const train_recipe& r) { return r.auxiliary_heads; })) {
      aux_heads_ = engine::construct_seeded(derive_seed(config_.seed, "mcdal_heads"), [&] {
        return std::make_shared<engine::auxiliary_heads>(width, classes);
      });
      aux_heads_->to(device_);
      aux_heads_initial_ = std::make_unique<weight_snapshot>(*aux_heads_);
    }
    if (any_training(plan_, [](const train_recipe& r) { return r.consistency_weight > 0; })) {
      consistency_ = std::make_unique<engine::consistency_training>();
      consistency_->head = engine::construct_seeded(derive_seed(config_.seed, "cod_head"), [&] {
        return torch::nn::Linear(width, classes);
      });
      consistency_->head->to(device_);
      consistency_head_initial_ = std::make_unique<weight_snapshot>(*consistency_->head);
      consistency_->teacher = twin_of_model();
    }
    if (plan_.scoring_outputs().contains(need::previous_outputs)) previous_model_ = twin_of_model();
  }

  /// A second model of the same architecture, holding the model's weights.
  std::shared_ptr<classifier> twin_of_model() {
    auto twin = build_model(config_, shape_);
    twin->set_head_dropout(model_->head_dropout());
    engine::place_model(*twin, device_);
    copy_weights(*model_, *twin);
    return twin;
  }

  /// Whether any step's selection needs `n`.
  bool plan_uses(need n) const {
    return std::ranges::any_of(plan_.steps, [n](const step& s) {
      if (const auto* first = std::get_if<label_initial_step>(&s)) return first->selector.needs.contains(n);
      if (const auto* score = std::get_if<score_step>(&s)) return score->outputs.contains(n);
      return false;
    });
  }

  /// What the model's own pass computes for `needs`: the encoder's
  /// embedding is the model's embedding unless the plan pretrained it.
  needs_set pass_needs(needs_set needs) const {
    if (needs.contains(need::encoder_embedding) && !pool_encoder_embedding_.defined()) {
      return needs | need::embedding;
    }
    return needs;
  }

  /// The encoder's embedding of the candidates, when `needs` asks for it:
  /// rows of the pretrained encoder's pass, or the model's own embedding.
  void add_encoder_embedding(engine::pool_outputs& outputs,
                             const std::vector<std::int64_t>& candidates, needs_set needs) const {
    if (!needs.contains(need::encoder_embedding)) return;
    outputs.encoder_embedding = pool_encoder_embedding_.defined()
                                    ? pool_encoder_embedding_.index_select(0, to_tensor(candidates))
                                    : outputs.embedding;
  }

  /// PT4AL's inputs for the candidates, which come from pretraining.
  void add_pretext_outputs(engine::pool_outputs& outputs, const std::vector<std::int64_t>& candidates,
                           needs_set needs) const {
    if (!needs.contains(need::pretext_loss)) return;
    if (!pretext_loss_.defined()) {
      throw std::logic_error("the plan needs pretext losses but has no pretrain(rotation) step");
    }
    const auto index = to_tensor(candidates);
    outputs.pretext_loss = pretext_loss_.index_select(0, index);
    outputs.pretext_batch = pretext_batch_.index_select(0, index);
  }

  run_report run() {
    for (const auto& s : plan_.steps) {
      // Pretraining comes first and runs on a resumed run too (the cache
      // makes it a load): every training starts from the encoder it leaves.
      const bool pretraining = std::holds_alternative<pretrain_step>(s);
      if (!pretraining && !started_) start_cycles();
      // Steps finished before an interruption are skipped, but a stop check
      // is decided again from the cycles recorded: a run that had stopped
      // stays stopped.
      const bool finished = !pretraining && cycle_of(s) <= resume_after_;
      if (finished && !std::holds_alternative<stop_check_step>(s)) continue;
      std::visit([this](const auto& step) { execute(step); }, s);
      if (!report_.waiting_for_labels.empty()) break;  // a person has the query now
      if (!report_.stopped_by.empty()) break;          // a stopping rule fired
    }
    if (!started_) start_cycles();
    return report_;
  }

 private:
  /// The cycle a step belongs to; pretraining and the initial set are 0.
  static int cycle_of(const step& s) {
    return std::visit(
        [](const auto& step) {
          if constexpr (requires { step.cycle; }) {
            return step.cycle;
          } else {
            return 0;
          }
        },
        s);
  }

  void execute(const pretrain_step& step) { pretrain(step.recipe); }

  void execute(const label_initial_step& step) {
    progress_->phase(0, "initial set");
    const auto start = std::chrono::steady_clock::now();
    const auto candidates = pool_->unlabelled();
    auto outputs = engine::scoring_pass(
        *model_, pool_images_, to_tensor(candidates), pass_needs(step.selector.needs),
        scoring_batch_, al::mc_passes_of(step.selector),
        derive_seed(config_.seed, "mc_dropout"), aux_heads_.get());
    add_pretext_outputs(outputs, candidates, step.selector.needs);
    add_encoder_embedding(outputs, candidates, step.selector.needs);
    const auto picks = pick(step.selector, outputs, candidates, step.count,
                            derive_seed(config_.seed, "initial"), 0);
    current_ = {};
    current_.seconds.select = seconds_since(start);
    apply_labels(picks, 0, "initial: " + step.selector.name);
  }

  void execute(const train_step& step) {
    progress_->phase(step.cycle, "train");
    const auto start = std::chrono::steady_clock::now();
    train_model(step, [this](std::int64_t epoch, std::int64_t epochs) {
      progress_->epoch(epoch, epochs);
    });
    current_.seconds.train = seconds_since(start);
  }

  /// One training of the plan, on the samples labelled so far.
  void train_model(const train_step& step,
                   const std::function<void(std::int64_t, std::int64_t)>& on_epoch) {
    // TOD compares the model about to be trained with this one.
    if (previous_model_ && trainings_done_ > 0) {
      copy_weights(*model_, *previous_model_);
      has_previous_model_ = true;
    }
    if (!step.recipe.warm_start) restart_training_state();
    const auto labelled = to_tensor(pool_->labelled()).to(device_);
    engine::unlabelled_batches unlabelled;
    if (step.recipe.auxiliary_heads || step.recipe.consistency_weight > 0) {
      unlabelled = {pool_images_, to_tensor(pool_->unlabelled()).to(device_), aux_heads_.get(),
                    consistency_.get()};
    }
    engine::train_classifier(*model_, pool_images_.index_select(0, labelled),
                             answers_.index_select(0, labelled), step.recipe,
                             derive_seed(config_.seed, "shuffle", step.cycle), unlabelled,
                             on_epoch);
    ++trainings_done_;
  }

  /// A cold start: the model, and everything trained beside it, back to the
  /// seed's initial weights; COD's teacher starts as a copy of the model.
  void restart_training_state() {
    initial_weights_->restore(*model_);
    if (aux_heads_) aux_heads_initial_->restore(*aux_heads_);
    if (consistency_) {
      consistency_head_initial_->restore(*consistency_->head);
      copy_weights(*model_, *consistency_->teacher);
      consistency_->steps = 0;
    }
  }

  void execute(const evaluate_step& step) {
    progress_->phase(step.cycle, "evaluate");
    const auto start = std::chrono::steady_clock::now();
    const auto result = engine::evaluate(*model_, test_, data_.num_classes(), scoring_batch_);
    // Every run records how much its model still changes, so that a report
    // can say where stable_predictions would have stopped it.
    auto predictions = stop_set_predictions();
    if (!previous_stop_predictions_.empty()) {
      current_.agreement = cohen_kappa(previous_stop_predictions_, predictions, data_.num_classes());
    }
    previous_stop_predictions_ = std::move(predictions);
    current_.cycle = step.cycle;
    current_.labelled = pool_->labelled_count();
    current_.accuracy = result.accuracy;
    current_.per_class_accuracy = result.per_class_accuracy;
    current_.balanced_accuracy = result.balanced_accuracy;
    current_.seconds.evaluate = seconds_since(start);
    // The cycle's line first, then the checkpoint: a kill between the two
    // leaves a line without its checkpoint, and that cycle runs again.
    on_writer_then_agree("writing cycles.jsonl", [&] { results_->append_cycle(current_); });
    save_checkpoint(step.cycle);
    progress_->cycle_done(fmt::format(
        "[{}] cycle {}: {} labels, test accuracy {:.2f}% (train {:.1f} s, score {:.2f} s, "
        "select {:.3f} s)",
        run_name_, current_.cycle, current_.labelled, 100 * current_.accuracy,
        current_.seconds.train, current_.seconds.score, current_.seconds.select));
    report_.cycles.push_back(std::move(current_));
    current_ = {};
  }

  /// Ends the run when the rule fires on the cycles finished so far (those
  /// of an earlier, interrupted call included). Rank 0 decides: another
  /// rank's resumed cycles hold only their labels.
  void execute(const stop_check_step& step) {
    std::vector<stopping_evidence> evidence;
    for (const auto& c : report_.cycles) {
      if (c.cycle <= step.cycle) evidence.push_back({c.cycle, c.labelled, c.accuracy, c.agreement});
    }
    std::vector<std::int64_t> decision{0};
    if (writer_) decision[0] = stops_after(step.rule, evidence) ? 1 : 0;
    if (ranks_) ranks_->broadcast(decision);
    if (decision[0] == 0) return;
    report_.stopped_by = step.rule.name;
    report_.stopped_after = step.cycle;
    progress_->note(fmt::format("[{}] {} stopped the run after cycle {} ({} labels; the plan allowed "
                                "up to cycle {})",
                                run_name_, step.rule.name, step.cycle, pool_->labelled_count(),
                                plan_.cycles()));
  }

  /// The model's predicted class for each sample of the stop set.
  std::vector<std::int64_t> stop_set_predictions() {
    return to_vector(
        engine::scoring_pass(*model_, pool_images_, stop_set_, need::probs, scoring_batch_)
            .probs.argmax(1)
            .cpu());
  }

  void execute(const score_step& step) {
    progress_->phase(step.cycle, "score");
    const auto start = std::chrono::steady_clock::now();
    candidates_ = pool_->unlabelled();
    outputs_ = engine::scoring_pass(
        *model_, pool_images_, to_tensor(candidates_), pass_needs(step.outputs),
        scoring_batch_, step.mc_passes,
        derive_seed(config_.seed, "mc_dropout", static_cast<std::uint64_t>(step.cycle)),
        aux_heads_.get());
    add_pretext_outputs(outputs_, candidates_, step.outputs);
    add_encoder_embedding(outputs_, candidates_, step.outputs);
    // Before the second training there is no previous model; tod's scorer
    // then falls back to random, as the plan says.
    if (step.outputs.contains(need::previous_outputs) && has_previous_model_) {
      outputs_.previous_probs =
          engine::scoring_pass(*previous_model_, pool_images_, to_tensor(candidates_), need::probs,
                               scoring_batch_)
              .probs;
    }
    // What the plan asks of the labelled samples: their embeddings, the
    // first centres of a selector that measures distance to them.
    labelled_embedding_ = torch::Tensor();
    labelled_encoder_embedding_ = torch::Tensor();
    const auto labelled = pool_->labelled();
    if (step.labelled_outputs.contains(need::embedding) ||
        (step.labelled_outputs.contains(need::encoder_embedding) &&
         !pool_encoder_embedding_.defined())) {
      labelled_embedding_ =
          engine::scoring_pass(*model_, pool_images_, to_tensor(labelled), need::embedding,
                               scoring_batch_)
              .embedding;
    }
    if (step.labelled_outputs.contains(need::encoder_embedding)) {
      labelled_encoder_embedding_ = pool_encoder_embedding_.defined()
                                        ? pool_encoder_embedding_.index_select(0, to_tensor(labelled))
                                        : labelled_embedding_;
    }
    current_.seconds.score = seconds_since(start);
  }

  void execute(const select_step& step) {
    progress_->phase(step.cycle, "select");
    const auto start = std::chrono::steady_clock::now();
    picks_ = pick(step.selector, outputs_, candidates_, step.count,
                  derive_seed(config_.seed, "select", static_cast<std::uint64_t>(step.cycle)),
                  step.cycle);
    outputs_ = {};
    current_.seconds.select = seconds_since(start);
    selector_name_ = step.selector.name;
  }

  void execute(const label_step& step) {
    apply_labels(picks_, step.cycle, "query: " + selector_name_);
    picks_.clear();
  }

  std::vector<std::int64_t> pick(const selector_spec& selector, const engine::pool_outputs& outputs,
                                 const std::vector<std::int64_t>& candidates, std::int64_t count,
                                 std::uint64_t seed, int cycle) const {
    if (count > static_cast<std::int64_t>(candidates.size())) {
      throw std::invalid_argument(fmt::format(
          "{} cannot select {} samples: only {} are unlabelled in a pool of {}; make the "
          "queries smaller or the pool larger (config.data.pool_size)",
          selector.name, count, candidates.size(), pool_->size()));
    }
    engine::selection_inputs inputs{&outputs, labelled_embedding_, seed, cycle, {},
                                    labelled_encoder_embedding_};
    // The oracle's answers so far: class_balanced's per-class deficits.
    if (!pool_->labelled().empty()) {
      const auto classes = answers_.index_select(0, to_tensor(pool_->labelled()).to(device_));
      inputs.labelled_class_counts = to_vector(torch::bincount(classes.cpu(), {}, data_.num_classes()));
    } else {
      inputs.labelled_class_counts.assign(static_cast<std::size_t>(data_.num_classes()), 0);
    }
    // Rows of the scoring pass's outputs, which follow `candidates`.
    const auto rows = ranges::views::indices(static_cast<std::int64_t>(candidates.size())) |
                      ranges::to<std::vector>();
    auto picks = to_rows(engine::select_rows(selector, inputs, rows, count), candidates);
    // Every rank selected from the same gathered outputs; a difference
    // would train the ranks on different labelled sets from here on.
    if (ranks_) ranks_->check_same(engine::distributed::hash_of({to_tensor(picks)}), "the picks");
    return picks;
  }

  /// Asks the oracle for the classes of `picks` and records its answers; a
  /// person who has not answered yet stops the run (see run()).
  void apply_labels(const std::vector<std::int64_t>& picks, int cycle, std::string step) {
    const auto answers = oracle_->answer(picks, cycle);
    if (!answers) {
      report_.waiting_for_labels = oracle_->waiting_for();
      progress_->note(fmt::format(
          "[{}] cycle {}: {} samples to label; fill in {} and run: alpipe label import {}, then "
          "run the same command again",
          run_name_, cycle, picks.size(), oracle_->waiting_for().string(),
          oracle_->waiting_for().string()));
      return;
    }
    record_labels(picks, *answers, cycle, std::move(step));
    const auto classes = pool_labels_.index_select(0, to_tensor(picks).to(device_));
    current_.query_class_histogram = to_vector(torch::bincount(classes.cpu(), {}, data_.num_classes()));
    current_.queried = picks;
    current_.labels = *answers;
  }

  /// The pool's bookkeeping and the classes the model will train on.
  void record_labels(const std::vector<std::int64_t>& picks, const std::vector<std::int64_t>& classes,
                     int cycle, std::string step) {
    pool_->label(picks, cycle, std::move(step));
    answers_.index_put_({to_tensor(picks).to(device_)}, to_tensor(classes).to(device_));
  }

  std::vector<std::int64_t> true_classes(const std::vector<std::int64_t>& picks) const {
    return to_vector(pool_labels_.index_select(0, to_tensor(picks).to(device_)));
  }

  const plan& plan_;
  const config& config_;
  engine::distributed::group* ranks_;  // null in a single-process run
  bool writer_;   // writes the results folder: rank 0, or the only process
  bool verbose_;  // prints progress: config.verbose, on the writer
  std::filesystem::path folder_;  // the results folder
  torch::Device device_ = torch::kCPU;
  std::int64_t scoring_batch_ = engine::default_scoring_batch;
  std::optional<c10::DeviceGuard> device_guard_;
  engine::dataset data_;
  engine::input_shape shape_;
  std::shared_ptr<classifier> model_;
  std::unique_ptr<weight_snapshot> initial_weights_;
  int trainings_done_ = 0;
  // Trained beside the model (MCDAL, COD) or kept from the last cycle (TOD);
  // null when the plan does not use them.
  std::shared_ptr<engine::auxiliary_heads> aux_heads_;
  std::unique_ptr<weight_snapshot> aux_heads_initial_;
  std::unique_ptr<engine::consistency_training> consistency_;
  std::unique_ptr<weight_snapshot> consistency_head_initial_;
  std::shared_ptr<classifier> previous_model_;
  bool has_previous_model_ = false;
  torch::Tensor pool_images_, pool_labels_;
  torch::Tensor answers_;  // [N] the oracle's class per labelled sample, -1 elsewhere
  std::unique_ptr<engine::oracle> oracle_;
  std::unique_ptr<engine::progress_line> progress_;
  int resume_after_ = -1;  // the last cycle finished by an earlier, interrupted call
  engine::labelled_images test_;
  std::unique_ptr<engine::pool_state> pool_;
  torch::Tensor pretext_loss_;   // [N] rotation pretext loss per pool image
  torch::Tensor pretext_batch_;  // [N] its PT4AL batch
  /// [N, d] the pretrained encoder's embedding of every pool image, when the
  /// plan pretrains and a selection needs it (need::encoder_embedding).
  torch::Tensor pool_encoder_embedding_;
  torch::Tensor stop_set_;  // [S] pool indices whose predictions are compared cycle to cycle
  std::vector<std::int64_t> previous_stop_predictions_;  // the last evaluated model's, on stop_set_
  std::unique_ptr<engine::results_folder> results_;  // the writer's only
  std::string plan_text_;    // explain(plan): plan.txt
  std::string config_text_;  // config.json
  std::string identity_;     // engine::run_identity of the two
  bool started_ = false;     // start_cycles() has run
  std::vector<cycle_result> recorded_cycles_;  // cycles.jsonl as the run found it
  std::string run_name_;
  run_report report_;

  // State carried between the steps of one cycle.
  cycle_result current_;
  std::vector<std::int64_t> candidates_;
  engine::pool_outputs outputs_;
  std::vector<std::int64_t> picks_;
  torch::Tensor labelled_embedding_;
  torch::Tensor labelled_encoder_embedding_;
  std::string selector_name_;
};

}  // namespace

run_report run_plan(const plan& p, const config& c) {
  const auto job = engine::distributed::environment_from_process();
  auto* ranks = engine::distributed::join_job(c.distributed, job);
  // The training, scoring and pretraining loops find the group here.
  const engine::distributed::current_scope scope(ranks);
  return plan_runner(p, c, ranks, ranks ? job->local_world_size : 1).run();
}

}  // namespace al
