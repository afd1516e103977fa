#include "tests/integration/db/redis_cluster.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "runner/os/local_target.h"

namespace faultline::testing {
namespace {

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> values;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
    values[line.substr(0, eq)] = value;
  }
  return values;
}

bool is_redis(pid_t pid) {
  std::string comm = text_of("/proc/" + std::to_string(pid) + "/comm");
  return comm.rfind("redis-", 0) == 0;
}

}  // namespace

std::string redis_fixture() { return source_path("scenarios/fixtures/redis-sentinel.sh"); }

RedisCluster::RedisCluster(const TempDir& dir, RedisClusterOptions options)
    : dir_(dir.file("redis")), password_(options.password) {
  std::map<std::string, std::string> env{{"SENTINELS", std::to_string(options.sentinels)}};
  if (!options.password.empty()) env["REDIS_PASSWORD"] = options.password;
  serve_ = std::make_unique<OwnedProcess>(Command({redis_fixture(), "serve", dir_}, "", env),
                                          dir.file("fixture.log"));
  bool ready = eventually(
      [&] { return std::filesystem::exists(dir_ + "/ready") || serve_->wait(Millis(0)) != -1; },
      Millis(30000));
  INFO(text_of(dir.file("fixture.log")));
  REQUIRE(ready);
  REQUIRE(std::filesystem::exists(dir_ + "/ready"));
  auto values = read_env_file(dir_ + "/cluster.env");
  master_port_ = std::stoi(values["REDIS_MASTER_PORT"]);
  replica_port_ = std::stoi(values["REDIS_REPLICA_PORT"]);
  sentinels_ = values["REDIS_SENTINELS"];
  std::smatch took;
  std::string log = text_of(dir.file("fixture.log"));
  if (std::regex_search(log, took, std::regex("up in ([0-9]+) ms"))) {
    bring_up_ = Millis(std::stoll(took[1]));
  }
  started_ = server_pids();
}

std::vector<pid_t> RedisCluster::server_pids() const {
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() != ".pid" || entry.path().filename() == "serve.pid") continue;
    std::string text = text_of(entry.path());
    if (!text.empty()) pids.push_back(std::stoi(text));
  }
  return pids;
}

bool RedisCluster::stop() {
  if (!serve_) return true;
  for (pid_t pid : server_pids()) started_.push_back(pid);
  ::kill(serve_->pid(), SIGTERM);
  serve_->wait(Millis(10000));
  serve_.reset();  // SIGKILLs its process group, should anything be left in it
  bool all_gone = true;
  for (pid_t pid : started_) {
    if (::kill(pid, 0) == 0 && is_redis(pid)) {
      all_gone = false;
      ::kill(pid, SIGKILL);
    }
  }
  return all_gone;
}

RedisCluster::~RedisCluster() { stop(); }

std::string RedisCluster::call(int port, const std::vector<std::string>& command) const {
  auto target = make_local_target();
  auto replies = target->redis(RedisRequest{"127.0.0.1", port, password_, {command}, Millis(2000)});
  if (!replies.ok()) return replies.error().message;
  return replies->front().describe();
}

std::string RedisCluster::replication(int port, const std::string& field) const {
  return info_field(call(port, {"INFO", "replication"}), field);
}

int masters_among(const RedisCluster& cluster, const std::vector<int>& ports) {
  int masters = 0;
  for (int port : ports) masters += cluster.replication(port, "role") == "master" ? 1 : 0;
  return masters;
}

}  // namespace faultline::testing
