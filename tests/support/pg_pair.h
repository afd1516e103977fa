#pragma once
// A real PostgreSQL 15 primary + streaming standby for a test, brought up by
// scenarios/fixtures/pg-pair on free loopback ports in a temp dir, and always torn down
// (pg-pair down: the postmasters by the pids they wrote) when the PgPair is destroyed.
// Tests that use one take the ctest RESOURCE_LOCK `postgres`.
#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace faultline::testing {

enum class Replication { async, sync };

class PgPair {
 public:
  explicit PgPair(Replication replication = Replication::async);
  ~PgPair();
  PgPair(const PgPair&) = delete;
  PgPair& operator=(const PgPair&) = delete;

  const std::string& dir() const { return dir_; }
  int node1_port() const { return node1_port_; }
  int node2_port() const { return node2_port_; }
  // host=127.0.0.1,127.0.0.1 port=N1,N2 ... target_session_attrs=read-write
  std::string conninfo() const;
  std::string node_conninfo(int port) const;
  // psql -At on one node; REQUIREs that it succeeds; its output without the last newline.
  std::string psql(int port, const std::string& sql) const;
  // psql's result, for a node that may be down.
  CliRun try_psql(int port, const std::string& sql) const;
  // The --var arguments the scenarios take: PG_DIR, PG_NODE1_PORT, PG_NODE2_PORT.
  std::vector<std::string> vars() const;

 private:
  TempDir base_;
  std::string dir_;
  int node1_port_ = 0;
  int node2_port_ = 0;
};

// The script itself (scenarios/fixtures/pg-pair).
std::string pg_pair_script();

// Waits (up to `timeout`) until no live process runs in a folder under `dir` (PostgreSQL
// servers and their children run in their data folder); returns the pids left, if any.
std::vector<pid_t> wait_for_no_processes_in(const std::string& dir, Millis timeout);

}  // namespace faultline::testing
