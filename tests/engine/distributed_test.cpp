// The data-parallel layer on c10d: the job read from torchrun's environment
// (and every way it can be wrong), the split of a global batch, two real
// processes on loopback that sum tensors in buckets, turn their slices'
// gradients into the whole batch's while backward runs, gather rows of
// different lengths and catch a disagreement; then the engine's loops and a
// whole run on two processes against one.

#include "../../src/core/distributed.hpp"
#include "blobs_run_config.hpp"
#include "recorded_cycles.hpp"

#include <al/al.hpp>
#include <al/engine/model.hpp>
#include <al/engine/pretrain.hpp>
#include <al/engine/training.hpp>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace distributed_test {

namespace distributed = al::engine::distributed;
namespace fs = std::filesystem;

/// A lookup over a fixed set of variables.
distributed::variable_lookup variables(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> const char* {
    const auto found = values.find(name);
    return found == values.end() ? nullptr : found->second.c_str();
  };
}

TEST_CASE("the job comes from torchrun's variables, and each wrong one is named with its fix",
          "[distributed]") {
  SECTION("no WORLD_SIZE, or a world of one: a single process") {
    CHECK_FALSE(distributed::environment_from(variables({})));
    CHECK_FALSE(distributed::environment_from(variables({{"WORLD_SIZE", "1"}, {"RANK", "0"}})));
  }
  SECTION("every variable read") {
    const auto where = distributed::environment_from(variables({{"WORLD_SIZE", "4"},
                                                                 {"RANK", "3"},
                                                                 {"LOCAL_RANK", "1"},
                                                                 {"MASTER_ADDR", "node7"},
                                                                 {"MASTER_PORT", "29500"}}));
    REQUIRE(where);
    CHECK(where->world_size == 4);
    CHECK(where->rank == 3);
    CHECK(where->local_rank == 1);
    CHECK(where->master_address == "node7");
    CHECK(where->master_port == 29500);
  }
  const std::map<std::string, std::string> good{
      {"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}};
  const auto with = [&](const std::string& name, const char* value) {
    auto changed = good;
    if (value == nullptr) {
      changed.erase(name);
    } else {
      changed[name] = value;
    }
    return variables(changed);
  };
  CHECK_THROWS_WITH(distributed::environment_from(with("WORLD_SIZE", "two")),
                    Catch::Contains("WORLD_SIZE=\"two\" is not an integer") &&
                        Catch::Contains("torchrun sets it"));
  CHECK_THROWS_WITH(distributed::environment_from(with("WORLD_SIZE", "0")),
                    Catch::Contains("WORLD_SIZE=\"0\""));
  CHECK_THROWS_WITH(distributed::environment_from(with("RANK", nullptr)),
                    Catch::Contains("RANK is not set") && Catch::Contains("SLURM_PROCID"));
  CHECK_THROWS_WITH(distributed::environment_from(with("RANK", "2")),
                    Catch::Contains("RANK=\"2\" is not an integer from 0 to 1"));
  CHECK_THROWS_WITH(distributed::environment_from(with("RANK", "-1")),
                    Catch::Contains("RANK=\"-1\""));
  CHECK_THROWS_WITH(distributed::environment_from(with("LOCAL_RANK", "1x")),
                    Catch::Contains("LOCAL_RANK=\"1x\""));
  CHECK_THROWS_WITH(distributed::environment_from(with("LOCAL_WORLD_SIZE", "3")),
                    Catch::Contains("LOCAL_WORLD_SIZE=\"3\" is not an integer from 1 to 2"));
  CHECK(distributed::environment_from(with("LOCAL_WORLD_SIZE", "2"))->local_world_size == 2);
  CHECK(distributed::environment_from(with("LOCAL_WORLD_SIZE", nullptr))->local_world_size == 1);
  CHECK_THROWS_WITH(distributed::environment_from(with("MASTER_ADDR", nullptr)),
                    Catch::Contains("MASTER_ADDR is not set") && Catch::Contains("127.0.0.1"));
  CHECK_THROWS_WITH(distributed::environment_from(with("MASTER_PORT", nullptr)),
                    Catch::Contains("MASTER_PORT is not set"));
  CHECK_THROWS_WITH(distributed::environment_from(with("MASTER_PORT", "70000")),
                    Catch::Contains("MASTER_PORT=\"70000\" is not an integer from 1 to 65535"));
}

TEST_CASE("a pass in blocks gives each rank whole blocks, contiguous and in order",
          "[distributed]") {
  for (const int size : {1, 2, 3}) {
    for (const std::int64_t rows : {0, 1, 255, 256, 257, 1000}) {
      std::int64_t next = 0;
      for (int rank = 0; rank < size; ++rank) {
        const auto [first, last] = distributed::blocks_of_rank(rows, 256, rank, size);
        CHECK(first == next);
        CHECK((first % 256 == 0 || first == rows));
        next = last;
      }
      CHECK(next == rows);
    }
  }
  CHECK(distributed::blocks_of_rank(1000, 256, 0, 2) == std::pair<std::int64_t, std::int64_t>{0, 512});
  CHECK(distributed::blocks_of_rank(1000, 256, 1, 2) == std::pair<std::int64_t, std::int64_t>{512, 1000});
}

TEST_CASE("a run joins a job when its mode and the environment say so", "[distributed]") {
  CHECK_FALSE(distributed::join_job(al::distributed_mode::automatic, std::nullopt));
  CHECK_FALSE(distributed::join_job(al::distributed_mode::off, std::nullopt));
  const distributed::environment job{0, 2, 0, "127.0.0.1", 1};
  CHECK_FALSE(distributed::join_job(al::distributed_mode::off, job));  // off ignores the job
  CHECK_THROWS_WITH(distributed::join_job(al::distributed_mode::on, std::nullopt),
                    Catch::Contains("--distributed on") && Catch::Contains("torchrun"));
  CHECK(distributed::current() == nullptr);
}

TEST_CASE("a global batch splits into contiguous slices, one per rank, sizes within one",
          "[distributed]") {
  for (const int size : {1, 2, 3, 8}) {
    for (const std::int64_t rows : {0, 1, 7, 256, 257}) {
      std::int64_t next = 0;
      for (int rank = 0; rank < size; ++rank) {
        const auto [first, last] = distributed::slice_of_batch(rows, rank, size);
        CHECK(first == next);
        CHECK(last - first >= rows / size);
        CHECK(last - first <= rows / size + 1);
        next = last;
      }
      CHECK(next == rows);
    }
  }
  CHECK_THROWS_WITH(distributed::slice_of_batch(10, 2, 2), Catch::Contains("no slice 2 of 2"));
}

/// A TCP port on loopback that was free a moment ago.
int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(s);
  return ntohs(address.sin_port);
}

/// Runs this test program's hidden test `tag` as rank `rank` of 2, output
/// to `log`, with `extra` added to the environment; returns its process id.
pid_t start_rank(const std::string& tag, int rank, int port, const fs::path& log,
                 const std::vector<std::string>& extra) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) environment.emplace_back(*e);
  environment.push_back("WORLD_SIZE=2");
  environment.push_back("RANK=" + std::to_string(rank));
  environment.push_back("LOCAL_RANK=" + std::to_string(rank));
  environment.push_back("LOCAL_WORLD_SIZE=2");
  environment.push_back("MASTER_ADDR=127.0.0.1");
  environment.push_back("MASTER_PORT=" + std::to_string(port));
  environment.insert(environment.end(), extra.begin(), extra.end());
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::string filter = tag, out = "--out", file = log.string();
  std::vector<char*> argv{const_cast<char*>(self.c_str()), filter.data(), out.data(), file.data(),
                          nullptr};
  pid_t pid = 0;
  REQUIRE(::posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), envp.data()) == 0);
  return pid;
}

/// Runs the hidden test `tag` as a job of two processes on loopback, each
/// logging to `folder`, and checks that both pass within `limit`: a hang (a
/// collective one rank never joins) is a failure.
void run_two_ranks(const std::string& tag, const fs::path& folder,
                   const std::vector<std::string>& extra = {},
                   std::chrono::seconds limit = std::chrono::seconds(240)) {
  fs::create_directories(folder);
  const int port = free_port();
  const std::vector<pid_t> ranks{start_rank(tag, 0, port, folder / "rank0.txt", extra),
                                 start_rank(tag, 1, port, folder / "rank1.txt", extra)};
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::vector<int> status(2, -1);
  for (int finished = 0; finished < 2;) {
    for (std::size_t r = 0; r < 2; ++r) {
      if (status[r] != -1) continue;
      int s = 0;
      if (::waitpid(ranks[r], &s, WNOHANG) == ranks[r]) {
        status[r] = s;
        ++finished;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      for (auto pid : ranks) ::kill(pid, SIGKILL);
      FAIL("the two ranks of " << tag << " did not finish within " << limit.count() << " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (std::size_t r = 0; r < 2; ++r) {
    std::ifstream log(folder / ("rank" + std::to_string(r) + ".txt"));
    std::stringstream text;
    text << log.rdbuf();
    INFO("rank " << r << ":\n" << text.str());
    REQUIRE(WIFEXITED(status[r]));
    REQUIRE(WEXITSTATUS(status[r]) == 0);
    REQUIRE(text.str().find("All tests passed") != std::string::npos);
  }
}

/// A fresh folder for one test's files.
fs::path test_folder(const std::string& name) {
  const auto folder =
      fs::temp_directory_path() / ("alpipe-distributed-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(folder);
  return folder;
}

TEST_CASE("two processes on loopback sum in buckets, gather rows and catch a disagreement",
          "[distributed]") {
  if (!distributed::available()) {
    const distributed::environment where{0, 2, 0, "127.0.0.1", 29500};
    CHECK_THROWS_WITH(distributed::group::connect(where, std::chrono::seconds(1)),
                      Catch::Contains("libgloo-dev"));
    return;
  }
  const auto folder = test_folder("collectives");
  run_two_ranks("[.distributed_rank]", folder);
  fs::remove_all(folder);
}

// Run only by the test above, once per rank (hidden: "[.…]").
TEST_CASE("one rank of the two-process test", "[.distributed_rank]") {
  const auto where = distributed::environment_from_process();
  REQUIRE(where);
  const auto group = distributed::group::connect(*where, std::chrono::seconds(60));
  const int rank = group->rank();
  REQUIRE(group->size() == 2);

  // Three tensors of two types, 16-byte buckets: several buckets, each summed.
  std::vector<torch::Tensor> gradients{torch::full({3}, float(rank + 1)),
                                       torch::full({2, 2}, 10.0f * float(rank + 1)),
                                       torch::tensor({std::int64_t{rank}})};
  group->sum(gradients, /*bucket_bytes=*/16);
  CHECK(gradients[0].equal(torch::full({3}, 3.0f)));
  CHECK(gradients[1].equal(torch::full({2, 2}, 30.0f)));
  CHECK(gradients[2].item<std::int64_t>() == 1);
  CHECK(gradients[1].sizes() == std::vector<std::int64_t>{2, 2});

  // Rank r holds r + 1 rows of r: 0; 1, 1 in rank order.
  const auto gathered = group->gather_rows(torch::full({rank + 1, 2}, float(rank)));
  CHECK(gathered.equal(torch::tensor({0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f}).view({3, 2})));

  // One global batch of 7 rows, 4 on rank 0 and 3 on rank 1: each rank's
  // gradient of its slice's mean loss, weighted by its share of the rows and
  // summed over the ranks, is the gradient of the whole batch's mean loss.
  torch::manual_seed(5);  // the same model and batch on both ranks
  torch::nn::Linear model(3, 2);
  const auto x = torch::randn({7, 3});
  const auto y = torch::randint(0, 2, {7}, torch::kLong);
  torch::nn::functional::cross_entropy(model(x), y).backward();
  std::vector<torch::Tensor> whole_batch;
  for (auto& p : model->parameters()) {
    whole_batch.push_back(p.grad().clone());
    p.mutable_grad() = torch::Tensor();
  }
  const auto [first, last] = distributed::slice_of_batch(7, rank, 2);
  CHECK(last - first == (rank == 0 ? 4 : 3));
  const auto share = static_cast<double>(last - first) / 7.0;
  {
    // 8-byte buckets: the weight and the bias each take their own, started
    // from the hooks while backward runs.
    distributed::gradient_buckets buckets(*group, model->parameters(), 8);
    CHECK(buckets.buckets() == 2);
    for (int step = 0; step < 2; ++step) {  // the buckets are ready again after each step
      for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
      (torch::nn::functional::cross_entropy(model(x.slice(0, first, last)),
                                            y.slice(0, first, last)) *
       share)
          .backward();
      buckets.finish();
      for (std::size_t i = 0; i < whole_batch.size(); ++i) {
        CHECK(torch::allclose(model->parameters()[i].grad(), whole_batch[i], 1e-5, 1e-7));
      }
    }
    // A rank without a slice takes part with zeros: here rank 1 alone
    // computes the whole batch's gradient, and rank 0 no backward at all.
    for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
    if (rank == 1) torch::nn::functional::cross_entropy(model(x), y).backward();
    buckets.finish();
    for (std::size_t i = 0; i < whole_batch.size(); ++i) {
      CHECK(torch::allclose(model->parameters()[i].grad(), whole_batch[i], 1e-5, 1e-7));
    }
  }
  {
    // A parameter no rank computed a gradient for (an unused layer, a
    // frozen one) keeps no gradient: the optimiser must leave it alone.
    torch::nn::Linear unused(2, 2);
    unused->bias.set_requires_grad(false);
    auto parameters = model->parameters();
    for (const auto& p : unused->parameters()) parameters.push_back(p);
    distributed::gradient_buckets buckets(*group, parameters);
    for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
    torch::nn::functional::cross_entropy(model(x), y).backward();
    buckets.finish();
    CHECK_FALSE(unused->weight.grad().defined());
    CHECK_FALSE(unused->bias.grad().defined());
    // Both ranks ran the whole batch: the sum is twice its gradient.
    CHECK(torch::allclose(model->parameters()[0].grad(), 2 * whole_batch[0], 1e-5, 1e-7));
  }
  // The hooks are gone with the buckets: a backward alone is this rank's.
  for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
  torch::nn::functional::cross_entropy(model(x), y).backward();
  CHECK(torch::allclose(model->parameters()[0].grad(), whole_batch[0], 1e-6, 1e-8));

  group->check_same(0x0123456789abcdefULL, "the picks");
  CHECK_THROWS_WITH(group->check_same(static_cast<std::uint64_t>(rank), "the picks"),
                    Catch::Contains("the ranks disagree on the picks"));

  // Rank 0's tensors and values reach rank 1, whatever rank 1 held.
  std::vector<torch::Tensor> weights{torch::full({2, 3}, float(rank + 7)),
                                     torch::full({4}, std::int64_t{rank})};
  group->broadcast(weights);
  CHECK(weights[0].equal(torch::full({2, 3}, 7.0f)));
  CHECK(weights[1].equal(torch::zeros({4}, torch::kLong)));
  std::vector<std::int64_t> values = rank == 0 ? std::vector<std::int64_t>{4, -1, 9}
                                               : std::vector<std::int64_t>{5};
  group->broadcast(values);
  CHECK(values == std::vector<std::int64_t>{4, -1, 9});
  std::vector<std::int64_t> none = rank == 0 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{1, 2};
  group->broadcast(none);
  CHECK(none.empty());

  // One rank's failure is every rank's news.
  CHECK(group->all(true));
  CHECK_FALSE(group->all(rank == 0));

  // Batch norm's statistics become their mean; the parameters are left.
  torch::nn::BatchNorm1d norm(2);
  norm->running_mean.fill_(float(rank));
  norm->weight.data().fill_(float(rank + 1));
  distributed::average_buffers(*group, *norm);
  CHECK(norm->running_mean.equal(torch::full({2}, 0.5f)));
  CHECK(norm->weight.equal(torch::full({2}, float(rank + 1))));
  distributed::broadcast_module(*group, *norm);
  CHECK(norm->weight.equal(torch::full({2}, 1.0f)));
}

/// The parameters of `model`, copied.
std::vector<torch::Tensor> weights_of(const torch::nn::Module& model) {
  std::vector<torch::Tensor> copies;
  for (const auto& p : model.parameters()) copies.push_back(p.detach().clone());
  return copies;
}

/// Whether two lists of tensors agree within a relative `tolerance`.
bool close(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b,
           double tolerance) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!torch::allclose(a[i], b[i], tolerance, tolerance * 1e-2)) return false;
  }
  return true;
}

/// A model built the same way on every rank and in every call.
std::shared_ptr<al::engine::classifier> seeded(std::string_view name,
                                               const al::engine::input_shape& shape) {
  torch::manual_seed(11);
  return al::engine::make_builtin_model(name, shape);
}

TEST_CASE("training, scoring, evaluation and pretraining on two processes agree with one",
          "[distributed]") {
  if (!distributed::available()) return;  // the layer's own test says why
  const auto folder = test_folder("loops");
  run_two_ranks("[.distributed_loops]", folder);
  fs::remove_all(folder);
}

// Run only by the test above, once per rank: each rank computes every loop
// alone first, then data-parallel with the other, and compares.
TEST_CASE("one rank of the data-parallel loops test", "[.distributed_loops]") {
  namespace engine = al::engine;
  // Each section runs the test case again: the process's one group serves
  // them all.
  auto* group = distributed::join_job(al::distributed_mode::on,
                                      distributed::environment_from_process(),
                                      std::chrono::seconds(60));
  torch::set_num_threads(1);
  torch::manual_seed(3);
  // 600 images: the last batch of 64 is partial, and the scoring pass's
  // 3 blocks of 256 split 2 : 1.
  const auto images = torch::rand({600, 1, 8, 8});
  const auto labels = torch::randint(0, 4, {600}, torch::kLong);
  const engine::input_shape shape{1, 8, 8, 4};
  al::train_recipe recipe;
  recipe.epochs = 3;
  recipe.min_steps = 0;
  recipe.batch_size = 64;

  SECTION("training with head dropout: the summed slices give one process's steps") {
    // An MLP has no batch norm, so only the order of the sums differs.
    auto alone = seeded("mlp", shape);
    alone->set_head_dropout(0.3);
    const auto alone_summary = engine::train_classifier(*alone, images, labels, recipe, 5);
    auto together = seeded("mlp", shape);
    together->set_head_dropout(0.3);
    engine::training_summary together_summary;
    {
      const distributed::current_scope scope(group);
      together_summary = engine::train_classifier(*together, images, labels, recipe, 5);
    }
    CHECK(together_summary.steps == alone_summary.steps);
    CHECK(together_summary.final_loss == Approx(alone_summary.final_loss).epsilon(1e-4));
    CHECK(close(weights_of(*together), weights_of(*alone), 1e-4));
    // Breaking the weighting (or dropping the sum) moves the weights.
    auto unsummed = seeded("mlp", shape);
    unsummed->set_head_dropout(0.3);
    const auto [first, last] = distributed::slice_of_batch(600, group->rank(), 2);
    engine::train_classifier(*unsummed, images.slice(0, first, last), labels.slice(0, first, last),
                             recipe, 5);
    CHECK_FALSE(close(weights_of(*unsummed), weights_of(*alone), 1e-4));
  }

  SECTION("the scoring pass and the evaluation, sharded and gathered, are one process's") {
    auto model = seeded("mlp", shape);
    model->set_head_dropout(0.5);  // BALD samples the head: masks from one stream
    const auto rows = torch::randperm(600, torch::kLong).slice(0, 0, 550);
    const auto needs = al::needs_set(al::need::probs) | al::need::embedding | al::need::mc_dropout;
    const auto alone = engine::scoring_pass(*model, images, rows, needs, 256, 8, 21);
    const auto alone_accuracy = engine::evaluate(*model, {images, labels}, 4, 256);
    engine::pool_outputs together;
    engine::evaluation together_accuracy;
    {
      const distributed::current_scope scope(group);
      together = engine::scoring_pass(*model, images, rows, needs, 256, 8, 21);
      together_accuracy = engine::evaluate(*model, {images, labels}, 4, 256);
    }
    CHECK(together.probs.equal(alone.probs));
    CHECK(together.embedding.equal(alone.embedding));
    CHECK(together.mutual_information.equal(alone.mutual_information));
    CHECK(together_accuracy.accuracy == alone_accuracy.accuracy);
    CHECK(together_accuracy.per_class_accuracy == alone_accuracy.per_class_accuracy);
  }

  SECTION("pretraining: rotation agrees with one process, SimSiam leaves every rank one encoder") {
    al::pretrain_recipe rotation{al::pretext::rotation};
    rotation.epochs = 1;
    rotation.batch_size = 64;
    const engine::pixel_normalisation normalisation{torch::full({1, 1, 1, 1}, 0.5),
                                                    torch::full({1, 1, 1, 1}, 0.25)};
    auto alone = seeded("mlp", shape);
    const auto alone_summary = engine::pretrain_encoder(*alone, images, normalisation, rotation, 9);
    auto together = seeded("mlp", shape);
    engine::pretraining_summary together_summary;
    {
      const distributed::current_scope scope(group);
      together_summary = engine::pretrain_encoder(*together, images, normalisation, rotation, 9);
    }
    CHECK(close(weights_of(*together), weights_of(*alone), 1e-4));
    CHECK(torch::allclose(together_summary.pretext_loss, alone_summary.pretext_loss, 1e-4, 1e-5));

    al::pretrain_recipe simsiam;
    simsiam.epochs = 1;
    simsiam.batch_size = 64;
    simsiam.projector_width = 32;
    simsiam.predictor_width = 8;
    const auto pictures = torch::rand({256, 1, 28, 28});
    auto cnn = seeded("small_cnn", {1, 28, 28, 4});
    const distributed::current_scope scope(group);
    // Ends with a check that both ranks hold the same weights.
    const auto summary = engine::pretrain_encoder(*cnn, pictures, normalisation, simsiam, 9);
    CHECK(std::isfinite(summary.final_loss));
    simsiam.batch_size = 3;  // a slice of 1: batch norm cannot
    CHECK_THROWS_WITH(engine::pretrain_encoder(*cnn, pictures, normalisation, simsiam, 9),
                      Catch::Contains("raise pretrain(...).batch_size to 4"));
  }
}

/// The run both tests below compare: the gathered embeddings (coreset, with
/// the labelled set's), the sharded MC passes (BALD) and the picks' check.
constexpr auto two_rank_pipeline = al::initial(al::random, 20) |
                                   al::train.epochs(10).min_steps(100) |
                                   al::cycle(1, al::query(al::coreset, 20)) |
                                   al::cycle(2, al::query(al::bald, 20));

// On blobs: 800 pool samples, 4 scoring blocks of 256.
al::config two_rank_config(const fs::path& out) { return al_test::blobs_run_config(out); }

TEST_CASE("a run on two processes picks what one process picks, and resumes",
          "[distributed]") {
  if (!distributed::available()) return;
  const auto folder = test_folder("run");
  const auto alone = al::run(two_rank_pipeline, two_rank_config(folder / "alone"));
  const auto out = folder / "together";
  run_two_ranks("[.distributed_run]", folder / "logs", {"ALPIPE_TEST_OUT=" + out.string()});
  const auto together = al_test::results_of(out / "run");
  REQUIRE(together.size() == alone.cycles.size());
  for (std::size_t c = 0; c < together.size(); ++c) {
    INFO("cycle " << c);
    // The gradients' sums run in another order, so the weights differ in
    // the last bits (the MLP has no batch norm): the same picks, and
    // accuracies within 1 point (docs/comparisons.md).
    const auto cycle = nlohmann::json::parse(together[c]);
    CHECK(cycle["queried"].get<std::vector<std::int64_t>>() == alone.cycles[c].queried);
    CHECK(std::abs(cycle["accuracy"].get<double>() - alone.cycles[c].accuracy) <= 0.01);
  }
  std::ifstream config_file(out / "run" / "config.json");
  CHECK(nlohmann::json::parse(config_file)["ranks"] == 2);

  SECTION("a job stopped after its checkpoint but before its last line retrains and goes on") {
    // A checkpoint ahead of cycles.jsonl: the ranks retrain through the
    // recorded labels together, then run the last cycle again.
    std::vector<std::string> lines;
    {
      std::ifstream in(out / "run" / "cycles.jsonl");
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    {
      std::ofstream cut(out / "run" / "cycles.jsonl", std::ios::trunc);
      for (std::size_t i = 0; i + 1 < lines.size(); ++i) cut << lines[i] << "\n";
    }
    run_two_ranks("[.distributed_run]", folder / "logs-resumed", {"ALPIPE_TEST_OUT=" + out.string()});
    CHECK(al_test::results_of(out / "run") == together);  // every cycle, timings aside
  }
  SECTION("a finished job started again loads its checkpoint on every rank and stops") {
    run_two_ranks("[.distributed_run]", folder / "logs-again", {"ALPIPE_TEST_OUT=" + out.string()});
    CHECK(al_test::results_of(out / "run") == together);
  }
  fs::remove_all(folder);
}

// Run only by the test above, once per rank.
TEST_CASE("one rank of the two-process run", "[.distributed_run]") {
  const char* out = std::getenv("ALPIPE_TEST_OUT");
  REQUIRE(out != nullptr);
  auto c = two_rank_config(out);
  // What cannot run data-parallel stops every rank at once, before any work.
  auto person = c;
  person.oracle = al::human_oracle();
  CHECK_THROWS_WITH(al::run(two_rank_pipeline, person),
                    Catch::Contains("a person's labels") && Catch::Contains("--distributed off"));
  CHECK_THROWS_WITH(al::run(al::initial(al::random, 20) | al::cycle(1, al::query(al::mcdal, 20)), c),
                    Catch::Contains("MCDAL's auxiliary heads"));
  const auto report = al::run(two_rank_pipeline, c);
  CHECK(report.cycles.size() == 4);
  CHECK(report.rank == std::stoi(std::getenv("RANK")));
}

}  // namespace distributed_test
