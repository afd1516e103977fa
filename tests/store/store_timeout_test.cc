// A PostgreSQL store that stops answering: the test SIGSTOPs processes of the server it
// started (the backend serving a connection, then the postmaster), and every wait on the
// store ends within FAULTLINE_STORE_TIMEOUT with a message that says so.
#include <signal.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "reports/store/ledger_entries.h"
#include "tests/store/store_fixture.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Stops a process of the test's own server, and lets it go on when destroyed, also when
// the test fails.
class Stopped {
 public:
  explicit Stopped(pid_t pid) : pid_(pid) { REQUIRE(::kill(pid_, SIGSTOP) == 0); }
  ~Stopped() { ::kill(pid_, SIGCONT); }
  Stopped(const Stopped&) = delete;
  Stopped& operator=(const Stopped&) = delete;

 private:
  pid_t pid_;
};

pid_t parent_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // "pid (comm) state ppid ...": comm may hold spaces, so read after its last ')'.
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string state;
  pid_t parent = 0;
  rest >> state >> parent;
  return parent;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a PostgreSQL store that stops answering fails within its timeout, never hangs") {
  TempDir dir;
  TestStore test_store(dir);
  if (!test_store.postgres()) {
    SUCCEED("SQLite has no server to stop; this case runs against PostgreSQL");
    return;
  }
  auto store = test_store.open();
  REQUIRE(
      store->append(record_entry(sample_record("d1", "p", "passed", "2026-03-01T10:00:00Z")), "")
          .ok());
  REQUIRE(setenv("FAULTLINE_STORE_TIMEOUT", "1s", 1) == 0);
  auto slow = open_record_store(test_store.location(), StoreOpening::existing_only);
  unsetenv("FAULTLINE_STORE_TIMEOUT");
  REQUIRE(slow.ok());
  std::string newest = test_store.sql(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'faultline' "
      "ORDER BY backend_start DESC LIMIT 1");
  pid_t backend = std::stoi(newest);
  pid_t postmaster = parent_of(backend);
  REQUIRE(postmaster > 1);

  {
    // Mid-session: the backend serving this connection stops.
    Stopped stopped(backend);
    auto start = std::chrono::steady_clock::now();
    auto counted = (*slow)->count();
    double waited = seconds_since(start);
    REQUIRE_FALSE(counted.ok());
    CHECK(counted.error().is(ErrorCode::timed_out));
    CHECK(counted.error().message == "record store " + (*slow)->describe() +
                                         " did not answer within 1s (FAULTLINE_STORE_TIMEOUT); "
                                         "is the server stopped or unreachable?");
    CHECK(waited >= 0.9);
    CHECK(waited < 3.0);
    // The connection is given up: the next call fails at once, saying why.
    start = std::chrono::steady_clock::now();
    auto appended = (*slow)->append(record_entry(sample_record("d2", "p", "passed", "x")), "");
    CHECK_FALSE(appended.ok());
    CHECK(mentions(appended.error().message,
                   "the connection was closed after the server did "
                   "not answer within 1s"));
    CHECK(seconds_since(start) < 0.5);
  }
  {
    // A new connection: the postmaster itself stops, and a query through the binary ends.
    Stopped stopped(postmaster);
    auto start = std::chrono::steady_clock::now();
    CliRun listed = run_cli_env({"records", "list", "--store", test_store.location()}, "",
                                {{"FAULTLINE_STORE_TIMEOUT", "1s"}}, Millis(30000));
    double waited = seconds_since(start);
    CHECK(listed.exit_code == 2);
    CHECK(mentions(listed.err, "cannot connect to record store"));
    CHECK(waited < 5.0);  // connect_timeout: whole seconds, at least 2
  }
  // Once it runs again, the store answers and nothing was lost.
  auto again = test_store.open();
  auto count = again->count();
  REQUIRE(count.ok());
  CHECK(*count == 1);
}
