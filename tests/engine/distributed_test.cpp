// The data-parallel layer on c10d: the job read from torchrun's environment
// (and every way it can be wrong), the split of a global batch, and two real
// processes on loopback that sum tensors in buckets, turn their slices'
// gradients into the whole batch's, gather rows of different lengths and
// catch a disagreement — what a data-parallel run is built on.

#include "../../src/core/distributed.hpp"

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
  CHECK_THROWS_WITH(distributed::environment_from(with("MASTER_ADDR", nullptr)),
                    Catch::Contains("MASTER_ADDR is not set") && Catch::Contains("127.0.0.1"));
  CHECK_THROWS_WITH(distributed::environment_from(with("MASTER_PORT", nullptr)),
                    Catch::Contains("MASTER_PORT is not set"));
  CHECK_THROWS_WITH(distributed::environment_from(with("MASTER_PORT", "70000")),
                    Catch::Contains("MASTER_PORT=\"70000\" is not an integer from 1 to 65535"));
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

/// Runs this test program's hidden rank test as rank `rank` of 2, output to
/// `log`; returns its process id.
pid_t start_rank(int rank, int port, const fs::path& log) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) environment.emplace_back(*e);
  environment.push_back("WORLD_SIZE=2");
  environment.push_back("RANK=" + std::to_string(rank));
  environment.push_back("LOCAL_RANK=" + std::to_string(rank));
  environment.push_back("MASTER_ADDR=127.0.0.1");
  environment.push_back("MASTER_PORT=" + std::to_string(port));
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::string filter = "[.distributed_rank]", out = "--out", file = log.string();
  std::vector<char*> argv{const_cast<char*>(self.c_str()), filter.data(), out.data(), file.data(),
                          nullptr};
  pid_t pid = 0;
  REQUIRE(::posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), envp.data()) == 0);
  return pid;
}

TEST_CASE("two processes on loopback sum in buckets, gather rows and catch a disagreement",
          "[distributed]") {
  if (!distributed::available()) {
    const distributed::environment where{0, 2, 0, "127.0.0.1", 29500};
    CHECK_THROWS_WITH(distributed::group::connect(where, std::chrono::seconds(1)),
                      Catch::Contains("libgloo-dev"));
    return;
  }
  const auto folder = fs::temp_directory_path() /
                      ("alpipe-distributed-" + std::to_string(::getpid()));
  fs::create_directories(folder);
  const int port = free_port();
  const std::vector<pid_t> ranks{start_rank(0, port, folder / "rank0.txt"),
                                 start_rank(1, port, folder / "rank1.txt")};
  // Both must finish; a hang (a collective one rank never joins) is a failure.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
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
      FAIL("the two ranks did not finish within 120 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (std::size_t r = 0; r < 2; ++r) {
    std::ifstream log(folder / ("rank" + std::to_string(r) + ".txt"));
    std::stringstream text;
    text << log.rdbuf();
    INFO("rank " << r << ":\n" << text.str());
    CHECK(WIFEXITED(status[r]));
    CHECK(WEXITSTATUS(status[r]) == 0);
    CHECK(text.str().find("All tests passed") != std::string::npos);
  }
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
  (torch::nn::functional::cross_entropy(model(x.slice(0, first, last)), y.slice(0, first, last)) *
   share)
      .backward();
  distributed::sum_gradients(*group, model->parameters());
  for (std::size_t i = 0; i < whole_batch.size(); ++i) {
    CHECK(torch::allclose(model->parameters()[i].grad(), whole_batch[i], 1e-5, 1e-7));
  }

  group->check_same(0x0123456789abcdefULL, "the picks");
  CHECK_THROWS_WITH(group->check_same(static_cast<std::uint64_t>(rank), "the picks"),
                    Catch::Contains("the ranks disagree on the picks"));
}

}  // namespace distributed_test
