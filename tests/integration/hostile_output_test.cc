// Probes that say too much, with a fault active: a regex over a huge output once
// overflowed the stack (std::regex) and killed the runner mid-drill. RE2 is linear.
#include <catch2/catch.hpp>
#include <fstream>

#include "runner/os/files.h"
#include "runner/os/local_target.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// An exec fault active for 500 ms, so every matching round below runs with it in force.
const std::string kActiveFault =
    "  - {name: flag, type: exec, at: 0s, duration: 500ms, params: {inject: [\"true\"], rollback: "
    "[\"true\"]}}\n";

// Runs a drill with one harmless active fault and the steady state `probes`, records under
// <dir>/records and a private lock folder.
CliRun run_probe_drill(const TempDir& dir, const std::string& name, const std::string& probes) {
  return run_drill_cli({"run", dir.write("plan.yaml", fast_plan(name, kActiveFault, probes)),
                        "--records", dir.file("records")},
                       dir.file("home"));
}

}  // namespace

TEST_CASE("an exec probe printing a megabyte against expect_stdout does not stop the drill") {
  TempDir dir;
  // A pattern that recurses per character in a backtracking engine.
  std::string probe =
      "    - {name: chatty, exec: {command: \"head -c 1048576 /dev/zero | tr '\\\\0' a\", "
      "expect_stdout: \"^(a|b)+$\", timeout: 5s}}\n";
  CliRun run = run_probe_drill(dir, "megabyte", probe);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  Json record = only_record(dir.file("records"));
  CHECK(record["probes"][0]["summary"]["failed"] == 0);
  CHECK(record["probes"][0]["summary"]["passed"].get<int>() >= 3);
  CHECK(record["faults"][0]["rollback"]["ok"] == true);
}

TEST_CASE("an http probe of a large body against expect_body does not stop the drill") {
  TempDir dir;
  {
    std::ofstream big(dir.file("big.txt"));
    big << std::string(4 << 20, 'a');
  }
  int port = free_port();
  auto server = start_http_server(port, dir);
  std::string probe = "    - {name: big, http: {url: \"http://127.0.0.1:" + std::to_string(port) +
                      "/big.txt\", expect_body: \"^(a|b)+$\", timeout: 5s}}\n";
  CliRun run = run_probe_drill(dir, "big-body", probe);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  Json record = only_record(dir.file("records"));
  CHECK(record["probes"][0]["summary"]["failed"] == 0);
  CHECK(record["probes"][0]["samples"][0]["detail"] == "status 200");
}

TEST_CASE("an http probe of an endless body reads what it needs, and the server is up") {
  TempDir dir;
  int port = free_port();
  // Answers 200 and then streams a body that never ends, one connection per thread.
  std::string server_script = dir.write("endless.py", R"(import socket, sys, threading
def serve(conn):
    try:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
        while True:
            conn.sendall(b"a" * 65536)
    except OSError:
        pass
    finally:
        conn.close()
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1])))
listener.listen(64)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
)");
  OwnedProcess server(Command({"python3", server_script, std::to_string(port)}),
                      dir.file("endless.log"));
  Target& target = *make_local_target();
  REQUIRE(eventually([&] { return target.tcp_connect("127.0.0.1", port, Millis(200)).ok(); },
                     Millis(10000)));
  std::string probe =
      "    - {name: endless, http: {url: \"http://127.0.0.1:" + std::to_string(port) +
      "/\", expect_body: \"^a+$\", timeout: 1s}}\n";
  CliRun run = run_probe_drill(dir, "endless", probe);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  Json record = only_record(dir.file("records"));
  CHECK(record["probes"][0]["summary"]["failed"] == 0);
  CHECK(record["probes"][0]["summary"]["latency"]["p95_ms"].get<double>() < 500.0);
}

TEST_CASE(
    "a probe printing invalid UTF-8 and terminal escapes leaves a valid record and clean "
    "lines") {
  TempDir dir;
  std::string probe =
      "    - {name: noisy, exec: {command: \"printf 'x\\\\377\\\\033[2J\\\\001'; exit 3\", "
      "expect_exit: 3}}\n"
      "    - {name: failing, exec: {command: \"printf 'y\\\\033]0;owned\\\\007\\\\376'; exit "
      "1\"}}\n";
  CliRun run = run_probe_drill(dir, "escapes", probe);
  INFO(run.out << run.err);
  // The failing probe fails the baseline: the drill aborts cleanly, and says why.
  CHECK(run.exit_code == 3);
  Json record = only_record(dir.file("records"));
  std::string reason = record["reason"];
  CHECK(reason.find("failing: exit 1: y ]0;owned ") != std::string::npos);
  CHECK(reason.find('\x1b') == std::string::npos);
  CHECK(reason.find('\x07') == std::string::npos);
  CHECK(run.err.find('\x1b') == std::string::npos);
  CHECK(run.out.find('\x1b') == std::string::npos);
}
