// RTO accuracy against ground truth: an HTTP server is frozen (process.pause,
// SIGSTOP) for a known time by the real binary, and the RTO the record reports must
// match the time the fault was actually in force, to within one probe interval.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

constexpr double kSlackMs = 50;

std::string pause_plan(int port, const std::string& pidfile, int interval_ms) {
  return fmt::format(R"(version: 1
name: rto-accuracy
description: An HTTP server is frozen for two seconds; the measured RTO must match.
objectives:
  rto: 10s
steady_state:
  interval: {interval}ms
  recovered_after: 3
  baseline_rounds: 3
  probes:
    - name: web
      http: {{url: "http://127.0.0.1:{port}/", expect_status: 200, timeout: 300ms}}
faults:
  - name: freeze
    type: process.pause
    at: 300ms
    duration: 2s
    target: {{pidfile: "{pidfile}"}}
recovery:
  timeout: 20s
)",
                     fmt::arg("interval", interval_ms), fmt::arg("port", port),
                     fmt::arg("pidfile", pidfile));
}

void check_rto_against_ground_truth(int interval_ms) {
  TempDir served;  // the server's cwd (what it lists)
  TempDir dir;     // plan, pidfile, home, records
  const int port = free_port();
  // The fixture answers the moment it is resumed, so what is checked is the runner's own
  // error; python's http.server adds its own catch-up (see bench/rto_accuracy --server).
  auto server = start_http_fixture(port, served);
  std::string pidfile = dir.write("server.pid", std::to_string(server->pid()) + "\n");
  std::string plan = dir.write("pause.yaml", pause_plan(port, pidfile, interval_ms));

  CliRun run =
      run_cli({"run", plan, "--records", dir.file("records"), "--quiet"}, dir.file("home"));
  INFO("stdout: " << run.out);
  INFO("stderr: " << run.err);
  CHECK(run.exit_code == 0);

  Json record = only_record(dir.file("records"));
  REQUIRE(record["faults"].size() == 1);
  const Json& fault = record["faults"][0];
  REQUIRE(fault["type"] == "process.pause");
  REQUIRE(fault["injected_at_ms"].is_number());
  REQUIRE(fault["rolled_back_at_ms"].is_number());
  REQUIRE(record["measurements"]["rto_ms"].is_number());
  double truth = fault["rolled_back_at_ms"].get<double>() - fault["injected_at_ms"].get<double>();
  double rto = record["measurements"]["rto_ms"].get<double>();
  // The rounds around the resume, to tell a late probe from a slow server.
  std::string around_resume;
  for (const auto& sample : record["probes"][0]["samples"]) {
    double t = sample["t_ms"].get<double>();
    double rolled_back = fault["rolled_back_at_ms"].get<double>();
    if (t < rolled_back - 400 || t > rolled_back + 400) continue;
    around_resume +=
        fmt::format("\n  round ended {:.1f} ms ({:+.1f} from the resume): {} in {:.1f} ms, {}", t,
                    t - rolled_back, sample["ok"].get<bool>() ? "ok" : "FAILED",
                    sample["latency_ms"].get<double>(), sample["detail"].get<std::string>());
  }
  INFO("interval " << interval_ms << " ms: ground truth " << truth << " ms, measured RTO " << rto
                   << " ms, error " << rto - truth << " ms" << around_resume);
  CHECK(record["verdict"] == "passed");
  CHECK(truth >= 2000);
  CHECK(rto >= truth);
  CHECK(rto <= truth + interval_ms + kSlackMs);

  // The rollback resumed the server: it is running again, not stopped.
  char state = process_state(server->pid());
  INFO("server state after the drill: " << state);
  CHECK(state != 'T');
  CHECK(state != 't');
  CHECK(state != 'Z');
  CHECK(state != '?');
}

}  // namespace

TEST_CASE("rto accuracy: a 2s pause is measured within one 50ms probe interval",
          "[integration][rto]") {
  check_rto_against_ground_truth(50);
}

TEST_CASE("rto accuracy: a 2s pause is measured within one 200ms probe interval",
          "[integration][rto]") {
  check_rto_against_ground_truth(200);
}
