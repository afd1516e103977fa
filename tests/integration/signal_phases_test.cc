// A stop signal in any phase of a drill: the runner exits 3, leaves no fault active and no
// journal, stops its services, and writes a record that says where it was stopped.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <thread>

#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

struct Interrupted {
  Json record;
  std::string log;
};

// Runs `plan`, sends `signal` once the runner logs that it entered `phase` (and `ready`
// holds, when given), and checks what every stop must leave behind.
Interrupted interrupt_in(const TempDir& dir, const std::string& phase, const std::string& plan,
                         int signal = SIGINT, const std::function<bool()>& ready = nullptr) {
  std::string log = dir.file("runner.log");
  auto runner = start_cli({"--home", dir.file("home"), "run", dir.write("plan.yaml", plan),
                           "--records", dir.file("records")},
                          log, {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  REQUIRE(eventually([&] { return file_contains(log, " phase " + phase + "\n"); }, Millis(20000)));
  if (ready) REQUIRE(eventually(ready, Millis(10000)));
  MonoTime asked = MonoClock::now();
  kill(runner->pid(), signal);
  int status = runner->wait(Millis(20000));
  std::string text = *read_file(log);
  INFO(text);
  REQUIRE(status != -1);
  CHECK(MonoClock::now() - asked < Millis(4000));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK(list_journals(dir.file("home/journal")).empty());
  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "aborted");
  CHECK(record["reason"] ==
        "stopped by SIG" + std::string(signal == SIGHUP ? "HUP" : "INT") + " during " + phase);
  CHECK(record["exit_code"] == 3);
  return {record, text};
}

std::string plan_text(const std::string& name, const std::string& steady, const std::string& faults,
                      const std::string& extra = "") {
  return "version: 1\nname: " + name + "\n" + extra +
         "steady_state:\n  interval: 50ms\n  recovered_after: 1\n" + steady + "  probes:\n" +
         kAlwaysPasses + "faults:\n" + faults;
}

std::string flag_fault(const std::string& flag, const std::string& timing,
                       const std::string& rollback) {
  return "  - {name: flag, type: exec, " + timing + ", params: {inject: \"touch " + flag +
         "\", rollback: \"" + rollback + "\"}}\n";
}

}  // namespace

TEST_CASE("SIGINT during preflight stops the drill before anything starts") {
  TempDir dir;
  // Hundreds of process-name targets make preflight take a moment (each scans /proc).
  std::string name = "fl-pre-" + std::to_string(getpid());
  OwnedProcess victim(Command({sleep_named(dir, name), "300"}), dir.file("victim.log"));
  std::string faults;
  for (int i = 0; i < 500; ++i) {
    faults += "  - {name: f" + std::to_string(i) +
              ", type: process.pause, at: 60s, duration: 1s, target: {process: " + name + "}}\n";
  }
  Interrupted stopped = interrupt_in(dir, "preflight", plan_text("stop-in-preflight", "", faults));
  CHECK(stopped.record["counters"]["faults_injected"] == 0);
  CHECK(stopped.log.find(" phase baseline") == std::string::npos);
  CHECK(process_state(victim.pid()) != 'T');
}

TEST_CASE("SIGINT during startup stops the service that was starting") {
  TempDir dir;
  std::string service_pid = dir.file("service.pid");
  // Its ready probe never passes: nothing listens on that port.
  std::string services =
      "services:\n  never-ready:\n    command: \"echo $$$$ > " + service_pid +
      "; exec sleep 300\"\n    ready: {tcp: {port: " + std::to_string(free_port()) +
      "}, timeout: 60s}\n";
  Interrupted stopped = interrupt_in(
      dir, "startup",
      plan_text("stop-in-startup", "",
                "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n", services));
  REQUIRE(eventually([&] { return file_contains(service_pid, "\n"); }, Millis(2000)));
  pid_t service = std::stoi(*read_file(service_pid));
  CHECK(live_processes_in_group(service).empty());
  CHECK(stopped.record["counters"]["faults_injected"] == 0);
}

TEST_CASE("SIGINT during the baseline stops the drill before any fault") {
  TempDir dir;
  std::string flag = dir.file("flag");
  Interrupted stopped = interrupt_in(dir, "baseline",
                                     plan_text("stop-in-baseline", "  baseline_rounds: 400\n",
                                               flag_fault(flag, "at: 0s", "rm -f " + flag)));
  CHECK(stopped.record["counters"]["faults_injected"] == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
}

TEST_CASE("SIGINT while a fault is in force rolls it back") {
  TempDir dir;
  std::string flag = dir.file("flag");
  Interrupted stopped =
      interrupt_in(dir, "faults",
                   plan_text("stop-in-faults", "  baseline_rounds: 1\n",
                             flag_fault(flag, "at: 0s, duration: 60s", "rm -f " + flag)),
                   SIGINT, [&] { return std::filesystem::exists(flag); });
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(stopped.record["counters"]["faults_injected"] == 1);
  CHECK(stopped.record["faults"][0]["rollback"]["ok"] == true);
}

TEST_CASE("SIGINT during the rollback phase does not cut the rollback short") {
  TempDir dir;
  std::string flag = dir.file("flag");
  Interrupted stopped =
      interrupt_in(dir, "rollback",
                   plan_text("stop-in-rollback", "  baseline_rounds: 1\n",
                             flag_fault(flag, "at: 0s", "sleep 1; rm -f " + flag)));
  CHECK_FALSE(std::filesystem::exists(flag));
  const Json& fault = stopped.record["faults"][0];
  CHECK(fault["rollback"]["ok"] == true);
  CHECK(fault["rolled_back_at_ms"].get<double>() > 0);
}

TEST_CASE("SIGINT while waiting for recovery stops the drill with the fault rolled back") {
  TempDir dir;
  std::string flag = dir.file("flag");
  std::string broken = dir.file("broken");
  // The rollback leaves the system broken: the steady state never returns.
  std::string plan =
      "version: 1\nname: stop-in-recovery\nsteady_state:\n  interval: 50ms\n"
      "  baseline_rounds: 1\n  recovered_after: 1\n  probes:\n"
      "    - {name: healthy, exec: {command: [\"test\", \"!\", \"-e\", \"" +
      broken + "\"]}}\nfaults:\n" +
      flag_fault(flag, "at: 0s", "rm -f " + flag + "; touch " + broken) +
      "recovery: {timeout: 60s}\n";
  Interrupted stopped = interrupt_in(dir, "recovery", plan);
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(stopped.record["faults"][0]["rollback"]["ok"] == true);
}

TEST_CASE("SIGHUP while observing after recovery stops the drill like SIGINT") {
  TempDir dir;
  std::string flag = dir.file("flag");
  std::string plan = plan_text("stop-in-observe", "  baseline_rounds: 1\n",
                               flag_fault(flag, "at: 0s, duration: 100ms", "rm -f " + flag),
                               "recovery: {observe: 60s}\n");
  Interrupted stopped = interrupt_in(dir, "observe", plan, SIGHUP);
  CHECK_FALSE(std::filesystem::exists(flag));
}

TEST_CASE("SIGINT rolls a fault back at once, though a probe round is stuck on it") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  // Like a health check against the frozen service: slow while the victim is paused.
  std::string stat = "/proc/" + std::to_string(victim.pid()) + "/stat";
  std::string plan =
      "version: 1\nname: stuck-probe\nsteady_state:\n  interval: 100ms\n  baseline_rounds: 1\n"
      "  recovered_after: 1\n  probes:\n    - {name: stuck, exec: {command: \"grep -q ') T ' " +
      stat +
      " && sleep 5; true\", timeout: 30s}}\nfaults:\n  - {name: freeze, type: process.pause, at: "
      "0s, duration: 60s, target: {pidfile: " +
      pidfile + "}}\n";
  auto runner = start_cli({"--home", dir.file("home"), "run", dir.write("plan.yaml", plan),
                           "--records", dir.file("records")},
                          dir.file("runner.log"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  REQUIRE(eventually([&] { return process_state(victim.pid()) == 'T'; }, Millis(10000)));
  std::this_thread::sleep_for(Millis(300));  // a probe round is now stuck on it
  MonoTime asked = MonoClock::now();
  kill(runner->pid(), SIGINT);
  REQUIRE(eventually([&] { return process_state(victim.pid()) != 'T'; }, Millis(10000)));
  CHECK(MonoClock::now() - asked < Millis(2000));
  int status = runner->wait(Millis(20000));
  INFO(*read_file(dir.file("runner.log")));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK(only_record(dir.file("records"))["faults"][0]["rollback"]["ok"] == true);
}
