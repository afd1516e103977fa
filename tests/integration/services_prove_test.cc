// A service must prove it is the system under test before any fault acts: nothing else
// may answer or hold its port, and a service that dies before the faults aborts the drill
// with its own words, instead of being restarted until the probes happen to pass.
#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

CliRun run_quickstart(const TempDir& dir, int port) {
  return run_drill_cli({"run", "scenarios/quickstart.yaml", "--var", "PORT=" + std::to_string(port),
                        "--records", dir.file("records")},
                       dir.file("home"));
}

// What every refused or aborted drill must show: exit 3, no fault injected, and a
// record that says so.
void check_aborted_before_any_fault(const CliRun& run, const TempDir& dir) {
  CHECK(run.exit_code == 3);
  CHECK(mentions(run.out, "ABORTED (exit 3)"));
  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "aborted");
  CHECK(record["counters"]["faults_injected"] == 0);
  for (const Json& fault : record["faults"]) CHECK(fault["injected_at_ms"].is_null());
  std::vector<std::string> phases = phase_names(record);
  CHECK(std::find(phases.begin(), phases.end(), "faults") == phases.end());
}

}  // namespace

TEST_CASE("a drill whose service port already answers for another process is refused") {
  TempDir served, dir;
  const int port = free_port();
  auto impostor = start_http_fixture(port, served);
  CliRun run = run_quickstart(dir, port);
  INFO(run.out << run.err);
  check_aborted_before_any_fault(run, dir);
  CHECK(mentions(run.out, "preflight"));
  CHECK(mentions(run.out, "already answers"));
  CHECK(mentions(run.out, "pid " + std::to_string(impostor->pid())));
  // The impostor was not touched.
  CHECK(process_state(impostor->pid()) != 'T');
  CHECK(process_state(impostor->pid()) != '?');
}

TEST_CASE("a drill whose service cannot bind its port is refused, naming the holder") {
  TempDir listener_dir, dir;
  const int port = free_port();
  auto holder = start_silent_listener(port, listener_dir);
  CliRun run = run_quickstart(dir, port);
  INFO(run.out << run.err);
  check_aborted_before_any_fault(run, dir);
  CHECK(mentions(run.out, "port " + std::to_string(port) + " is already taken by pid " +
                              std::to_string(holder->pid())));
  CHECK(process_state(holder->pid()) != '?');
}

TEST_CASE("a service that exits at once aborts the drill, quoting its log, and is not restarted") {
  TempDir dir;
  const int port = free_port();
  std::string plan = fast_plan(
      "crash-at-start", "  - {name: crash, type: process.kill, at: 0s, target: {service: app}}\n",
      kAlwaysPasses,
      fmt::format("services:\n  app:\n    command: \"echo boom >&2; exit 1\"\n"
                  "    ready: {{tcp: {{port: {}}}, timeout: 20s}}\n"
                  "    restart: {{policy: always, delay: 50ms}}\n",
                  port));
  MonoTime started = MonoClock::now();
  CliRun run = run_drill_cli(
      {"run", dir.write("plan.yaml", plan), "--records", dir.file("records")}, dir.file("home"));
  INFO(run.out << run.err);
  check_aborted_before_any_fault(run, dir);
  // Found out at once, not after the ready timeout.
  CHECK(elapsed_ms(started, MonoClock::now()) < 10000);
  CHECK(mentions(run.out, "service 'app' exited with status 1"));
  CHECK(mentions(run.out, "boom"));
  Json record = only_record(dir.file("records"));
  CHECK(record["counters"]["service_restarts"] == 0);
  CHECK(mentions(record["reason"].get<std::string>(), "boom"));
}

TEST_CASE("a service that exits during the baseline aborts the drill before any fault") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  // 40 baseline rounds of 50 ms: the service dies 0.3 s into a 2 s baseline.
  std::string plan =
      "version: 1\nname: dies-in-baseline\n"
      "services:\n  app:\n    command: \"sleep 0.3; exit 1\"\n"
      "    restart: {policy: always, delay: 50ms}\n"
      "steady_state:\n  interval: 50ms\n  baseline_rounds: 40\n  probes:\n" +
      kAlwaysPasses +
      "faults:\n  - {name: freeze, type: process.pause, at: 0s, duration: 1s, "
      "target: {pidfile: " +
      pidfile + "}}\n";
  CliRun run = run_drill_cli(
      {"run", dir.write("plan.yaml", plan), "--records", dir.file("records")}, dir.file("home"));
  INFO(run.out << run.err);
  check_aborted_before_any_fault(run, dir);
  CHECK(mentions(run.out, "service 'app' exited with status 1 before any fault was injected"));
  Json record = only_record(dir.file("records"));
  CHECK(record["phases"].back()["name"] == "verdict");
  CHECK(phase_names(record)[2] == "baseline");
  CHECK(process_state(victim.pid()) != 'T');
}

TEST_CASE("a service that exits while the drill waits for its first fault aborts the drill") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  std::string go = dir.file("go");
  // The service dies on its own once the test says so: after the baseline, before the
  // first fault (at 3s) has acted.
  std::string plan = fast_plan(
      "dies-before-first-fault",
      "  - {name: freeze, type: process.pause, at: 3s, duration: 1s, target: {pidfile: " + pidfile +
          "}}\n",
      kAlwaysPasses,
      "services:\n  app:\n    command: \"while [ ! -e " + go +
          " ]; do sleep 0.02; done; echo lost my database >&2; exit 2\"\n"
          "    restart: {policy: always, delay: 50ms}\n");
  auto runner =
      start_faultline({"run", dir.write("plan.yaml", plan), "--records", dir.file("records")},
                      dir.file("home"), dir.file("runner.log"));
  REQUIRE(eventually([&] { return mentions(text_of(dir.file("runner.log")), "phase faults"); },
                     Millis(20000)));
  dir.write("go", "");
  int status = runner->wait(Millis(30000));
  std::string log = text_of(dir.file("runner.log"));
  INFO(log);
  REQUIRE(status != -1);
  CHECK(WEXITSTATUS(status) == 3);
  CHECK(mentions(log,
                 "ABORTED (exit 3): faults: service 'app' exited with status 2 before any "
                 "fault was injected; its log ends: lost my database"));
  CHECK(process_state(victim.pid()) != 'T');
  Json record = only_record(dir.file("records"));
  CHECK(record["counters"]["faults_injected"] == 0);
  CHECK(record["counters"]["service_restarts"] == 0);
  CHECK(record["faults"][0]["injected_at_ms"].is_null());
}

TEST_CASE(
    "a second drill on a service port in use by a running drill is refused, naming that drill") {
  TempDir dir;
  const int port = free_port();
  std::string flag = dir.file("flag");
  std::string plan =
      fast_plan("port-owner",
                "  - {name: mark, type: exec, at: 0s, duration: 3s, params: {inject: \"touch " +
                    flag + "\", rollback: \"rm -f " + flag + "\"}}\n",
                kAlwaysPasses,
                fmt::format("services:\n  web:\n    command: [\"{}\", --port, \"{}\"]\n"
                            "    ready: {{http: {{url: \"http://127.0.0.1:{}/\"}}}}\n",
                            FAULTLINE_HTTP_FIXTURE, port, port));
  std::string plan_path = dir.write("plan.yaml", plan);
  // Both drills share one home, so they share the lock folder as two drills on one machine do.
  auto first = start_faultline({"run", plan_path, "--records", dir.file("records-1")},
                               dir.file("home"), dir.file("first.log"));
  REQUIRE(eventually([&] { return std::filesystem::exists(flag); }, Millis(20000)));
  CliRun second =
      run_drill_cli({"run", plan_path, "--records", dir.file("records-2")}, dir.file("home"));
  INFO(second.out << second.err);
  CHECK(second.exit_code == 3);
  CHECK(
      mentions(second.out, "service 'web' port " + std::to_string(port) + " is locked by drill "));
  CHECK(mentions(second.out, "runner pid " + std::to_string(first->pid())));
  int status = first->wait(Millis(30000));
  INFO(text_of(dir.file("first.log")));
  REQUIRE(status != -1);
  CHECK(WEXITSTATUS(status) == 0);
}
