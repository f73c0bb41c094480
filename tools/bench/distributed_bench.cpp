// Data-parallel throughput: the same training and SimSiam pretraining, with
// the same global batches, in one process on every thread and over ranks of
// one thread each on loopback (ProcessGroupGloo).
//
//   distributed_bench [--model resnet18] [--train-images 1024] [--batch 64]
//                     [--pretrain-model resnet18] [--pretrain-images 1024]
//                     [--pretrain-batch 128] [--ranks 2] [--threads 2]
//
// Started without a job's variables, it starts itself twice: once as one
// process with --threads Torch threads, then as --ranks processes with
// --threads / --ranks threads each (WORLD_SIZE, RANK, MASTER_ADDR and
// MASTER_PORT set, as torchrun would), and prints samples per second of
// each. Each worker first trains on a few batches to warm up, then times one
// epoch. Data: Fashion-MNIST (Debian's dataset-fashion-mnist). Figures go to
// docs/benchmarks.md.

#include "../../src/core/distributed.hpp"

#include <CLI/CLI.hpp>
#include <al/engine/dataset.hpp>
#include <al/engine/model.hpp>
#include <al/engine/pretrain.hpp>
#include <al/engine/threads.hpp>
#include <al/engine/training.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "stopwatch.hpp"

extern char** environ;

namespace {

namespace engine = al::engine;
namespace distributed = al::engine::distributed;
namespace fs = std::filesystem;
using al::bench::clock_type;
using al::bench::seconds_since;

struct options {
  std::string model = "resnet18";
  std::int64_t train_images = 1024;
  std::int64_t batch = 64;
  std::string pretrain_model = "resnet18";
  std::int64_t pretrain_images = 1024;
  std::int64_t pretrain_batch = 128;
  int ranks = 2;
  int threads = 2;
  bool worker = false;
};

/// A model built the same way in every process.
std::shared_ptr<engine::classifier> seeded(const std::string& name, const engine::dataset& data) {
  torch::manual_seed(7);
  const auto& images = data.train.images;
  return engine::make_builtin_model(
      name, {images.size(1), images.size(2), images.size(3), data.num_classes()});
}

/// One process of a measurement: trains, then pretrains, and (rank 0, or
/// the only process) prints "name samples/s" per loop.
int work(const options& o) {
  auto* ranks = distributed::join_job(al::distributed_mode::automatic,
                                      distributed::environment_from_process());
  const distributed::current_scope scope(ranks);
  engine::set_torch_threads(o.threads);
  al::data_config where;
  where.pool_size = std::max(o.train_images, o.pretrain_images);
  where.test_size = 100;
  const auto data = engine::load_dataset(where);
  const auto& images = data.train.images;
  const auto& labels = data.train.labels;
  const bool printing = ranks == nullptr || ranks->rank() == 0;

  al::train_recipe recipe;
  recipe.epochs = 1;
  recipe.min_steps = 0;
  recipe.batch_size = o.batch;
  {
    auto model = seeded(o.model, data);
    const auto warm = std::min<std::int64_t>(images.size(0), 4 * o.batch);
    engine::train_classifier(*model, images.slice(0, 0, warm), labels.slice(0, 0, warm), recipe, 1);
    const auto start = clock_type::now();
    const auto n = std::min(images.size(0), o.train_images);
    engine::train_classifier(*model, images.slice(0, 0, n), labels.slice(0, 0, n), recipe, 2);
    const auto seconds = seconds_since(start);
    if (printing) fmt::print("train {:.1f}\n", static_cast<double>(n) / seconds);
  }
  {
    al::pretrain_recipe simsiam;
    simsiam.epochs = 1;
    simsiam.batch_size = o.pretrain_batch;
    auto model = seeded(o.pretrain_model, data);
    const engine::pixel_normalisation normalisation{data.channel_mean, data.channel_std};
    const auto warm = std::min<std::int64_t>(images.size(0), 2 * o.pretrain_batch);
    engine::pretrain_encoder(*model, images.slice(0, 0, warm), normalisation, simsiam, 1);
    const auto n = std::min(images.size(0), o.pretrain_images);
    const auto start = clock_type::now();
    const auto summary =
        engine::pretrain_encoder(*model, images.slice(0, 0, n), normalisation, simsiam, 2);
    const auto seconds = seconds_since(start);
    if (printing) {
      fmt::print("pretrain {:.1f}\n",
                 static_cast<double>(summary.steps * o.pretrain_batch) / seconds);
    }
  }
  std::fflush(stdout);
  return 0;
}

/// A TCP port on loopback that was free a moment ago.
int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(s);
  return ntohs(address.sin_port);
}

/// Starts this benchmark as a worker with `threads` threads, `job` added to
/// the environment and its output in `log`.
pid_t start_worker(const options& o, int threads, const std::vector<std::string>& job,
                   const fs::path& log) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    // A job's variables are this launcher's to set.
    if (entry.starts_with("WORLD_SIZE=") || entry.starts_with("RANK=")) continue;
    environment.emplace_back(entry);
  }
  environment.insert(environment.end(), job.begin(), job.end());
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  const auto self = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> args{self,
                                "--worker",
                                "--model", o.model,
                                "--train-images", std::to_string(o.train_images),
                                "--batch", std::to_string(o.batch),
                                "--pretrain-model", o.pretrain_model,
                                "--pretrain-images", std::to_string(o.pretrain_images),
                                "--pretrain-batch", std::to_string(o.pretrain_batch),
                                "--threads", std::to_string(threads)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  if (::posix_spawn(&pid, self.c_str(), &files, nullptr, argv.data(), envp.data()) != 0) {
    throw std::runtime_error("could not start a worker");
  }
  posix_spawn_file_actions_destroy(&files);
  return pid;
}

/// Waits for the workers; returns the first one's "name value" lines.
std::map<std::string, double> results_of(const std::vector<pid_t>& workers,
                                         const std::vector<fs::path>& logs) {
  for (std::size_t w = 0; w < workers.size(); ++w) {
    int status = 0;
    ::waitpid(workers[w], &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::ifstream log(logs[w]);
      std::stringstream text;
      text << log.rdbuf();
      throw std::runtime_error(fmt::format("worker {} failed:\n{}", w, text.str()));
    }
  }
  std::map<std::string, double> results;
  std::ifstream log(logs.front());
  std::string name;
  double value = 0;
  while (log >> name >> value) results[name] = value;
  return results;
}

int launch(const options& o) {
  const auto folder = fs::temp_directory_path() / fmt::format("alpipe-distributed-bench-{}", ::getpid());
  fs::create_directories(folder);
  const auto alone = results_of({start_worker(o, o.threads, {}, folder / "alone.txt")},
                                {folder / "alone.txt"});
  const int port = free_port();
  std::vector<pid_t> ranks;
  std::vector<fs::path> logs;
  for (int r = 0; r < o.ranks; ++r) {
    logs.push_back(folder / fmt::format("rank{}.txt", r));
    ranks.push_back(start_worker(
        o, std::max(1, o.threads / o.ranks),
        {fmt::format("WORLD_SIZE={}", o.ranks), fmt::format("RANK={}", r),
         fmt::format("LOCAL_RANK={}", r), fmt::format("LOCAL_WORLD_SIZE={}", o.ranks),
         "MASTER_ADDR=127.0.0.1", fmt::format("MASTER_PORT={}", port)},
        logs.back()));
  }
  const auto together = results_of(ranks, logs);
  fs::remove_all(folder);
  const auto per_rank = std::max(1, o.threads / o.ranks);
  fmt::print("| loop | 1 process × {} threads | {} ranks × {} thread{} | ratio |\n", o.threads,
             o.ranks, per_rank, per_rank == 1 ? "" : "s");
  fmt::print("| --- | --- | --- | --- |\n");
  const auto row = [&](const std::string& key, const std::string& label) {
    fmt::print("| {} | {:.1f} samples/s | {:.1f} samples/s | {:.2f} |\n", label, alone.at(key),
               together.at(key), together.at(key) / alone.at(key));
  };
  row("train", fmt::format("training {}, {} images, batch {}", o.model, o.train_images, o.batch));
  row("pretrain", fmt::format("SimSiam pretraining {}, {} images, batch {}", o.pretrain_model,
                              o.pretrain_images, o.pretrain_batch));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"data-parallel throughput: one process against ranks on loopback"};
  app.add_option("--model", o.model, "built-in model to train");
  app.add_option("--train-images", o.train_images, "images in the timed training epoch");
  app.add_option("--batch", o.batch, "global training batch");
  app.add_option("--pretrain-model", o.pretrain_model, "built-in model to pretrain");
  app.add_option("--pretrain-images", o.pretrain_images, "images in the timed pretraining epoch");
  app.add_option("--pretrain-batch", o.pretrain_batch, "global pretraining batch");
  app.add_option("--ranks", o.ranks, "processes of the data-parallel job");
  app.add_option("--threads", o.threads, "threads in all: one process's, or split over the ranks");
  app.add_flag("--worker", o.worker, "run one measurement (started by the launcher)");
  CLI11_PARSE(app, argc, argv);
  try {
    return o.worker ? work(o) : launch(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "distributed_bench: {}\n", e.what());
    return 1;
  }
}
