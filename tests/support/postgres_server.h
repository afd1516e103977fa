#pragma once
// A PostgreSQL 15 server the test owns: initdb in a temp dir, run as the `postgres` user
// (PostgreSQL refuses root) on 127.0.0.1 at a free port, with trust authentication for
// loopback. Stopped (immediate) and its folder removed when destroyed, also when the test
// failed. Tests that use it carry the ctest RESOURCE_LOCK `postgres`.
#include <memory>
#include <string>

#include "tests/support/test_support.h"

namespace faultline::testing {

class PostgresServer {
 public:
  // Starts it; fails the test (REQUIRE) when it cannot.
  PostgresServer();
  ~PostgresServer() = default;
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  std::string uri(const std::string& database = "postgres") const;
  // Creates a new, empty database and returns its URI.
  std::string fresh_database();
  // Runs one SQL statement in `database` through psql (as the test's attacker or
  // inspector); returns psql's output, and fails the test when psql fails.
  std::string sql(const std::string& database, const std::string& statement) const;

 private:
  // Stops the server it names; a member, so that it runs also when the constructor
  // failed after pg_ctl start. Declared after dir_: it goes before the folder does.
  struct Stopper {
    std::string data;  // the data folder; "" until pg_ctl start ran
    ~Stopper();
  };
  std::unique_ptr<TempDir> dir_;
  Stopper stopper_;
  std::string data_;
  int port_ = 0;
  int databases_ = 0;
};

// Why PostgreSQL cannot run here ("" when it can): not root (runuser), no `postgres`
// user, no PostgreSQL 15 binaries.
std::string postgres_unavailable();

// One server per test process, started on first use and stopped at exit.
PostgresServer& shared_postgres();

}  // namespace faultline::testing
