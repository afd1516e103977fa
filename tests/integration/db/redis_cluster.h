#pragma once
// The Redis fixture (scenarios/fixtures/redis-sentinel.sh serve) as a test owns it: started
// in a temp dir, waited for, and stopped when destroyed, even when the test fails: first
// SIGTERM (the fixture's own teardown), then SIGKILL of its process group, then SIGKILL
// of any server pid its pidfiles still name.
#include <memory>
#include <string>
#include <vector>

#include "runner/core/redis.h"
#include "tests/support/test_support.h"

namespace faultline::testing {

struct RedisClusterOptions {
  int sentinels = 3;
  std::string password;
};

class RedisCluster {
 public:
  explicit RedisCluster(const TempDir& dir, RedisClusterOptions options = {});
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  // Stops it now, as a person's Ctrl-C would; true when every server is gone.
  bool stop();

  const std::string& dir() const { return dir_; }
  int master_port() const { return master_port_; }
  int replica_port() const { return replica_port_; }
  // "127.0.0.1:p1,127.0.0.1:p2,..." and as YAML ("[127.0.0.1:p1, ...]").
  const std::string& sentinels() const { return sentinels_; }
  std::string sentinels_yaml() const { return "[" + sentinels_ + "]"; }
  // How long the fixture took to come up (its own figure, from its output).
  Millis bring_up() const { return bring_up_; }
  // The pids its pidfiles name now (nodes a and b, every Sentinel).
  std::vector<pid_t> server_pids() const;

  // INFO replication field `field` of the node on `port` ("" when it does not answer).
  std::string replication(int port, const std::string& field) const;
  // One command on `port`; the reply as redis-cli shows it, or the error's message.
  std::string call(int port, const std::vector<std::string>& command) const;

 private:
  std::string dir_;
  std::string password_;
  std::unique_ptr<OwnedProcess> serve_;
  int master_port_ = 0;
  int replica_port_ = 0;
  std::string sentinels_;
  Millis bring_up_{0};
  std::vector<pid_t> started_;  // every server pid seen, killed at the end if alive
};

// Which of these nodes say role:master right now.
int masters_among(const RedisCluster& cluster, const std::vector<int>& ports);

// The fixture script in the source tree.
std::string redis_fixture();

}  // namespace faultline::testing
