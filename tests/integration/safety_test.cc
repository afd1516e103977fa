// Faults are rolled back on SIGINT/SIGTERM, and `faultline recover` cleans up after
// a runner killed with SIGKILL.
#include <signal.h>

#include <catch2/catch.hpp>
#include <thread>

#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// A plan that pauses the process in `pidfile` for a long time, probed by an exec
// probe that always passes (the paused process is a bystander, not the service).
std::string pause_plan(const std::string& pidfile, const std::string& extra = "") {
  return fast_plan(
      "pause-drill",
      "  - {name: freeze, type: process.pause, at: 0s, duration: 60s, target: {pidfile: " +
          pidfile + "}}\n",
      kAlwaysPasses, extra);
}

struct Victim {
  TempDir& dir;
  OwnedProcess process{Command{{"sleep", "300"}, "", {}}, dir.file("sleep.log")};
  std::string pidfile = dir.write("victim.pid", std::to_string(process.pid()) + "\n");
};

std::unique_ptr<OwnedProcess> start_runner(const TempDir& dir, const std::string& plan) {
  Command command{
      {FAULTLINE_BINARY, "--home", dir.file("home"), "run", plan, "--records", dir.file("records")},
      "",
      {}};
  return std::make_unique<OwnedProcess>(command, dir.file("runner.log"));
}

// A runner pausing a victim while it runs a service that writes its pid to a file.
struct DrillWithService {
  explicit DrillWithService(TempDir& dir) : victim{dir} {
    std::string marker = dir.file("service.pid");
    std::string services =
        "services:\n  idle:\n    command: \"echo $$$$ > " + marker + "; exec sleep 300\"\n";
    runner = start_runner(dir, dir.write("plan.yaml", pause_plan(victim.pidfile, services)));
    REQUIRE(eventually([&] { return process_state(victim.process.pid()) == 'T'; }, Millis(10000)));
    service_pid = std::stoi(*read_file(marker));
  }
  Victim victim;
  std::unique_ptr<OwnedProcess> runner;
  int service_pid = 0;
};

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

void check_signal_rolls_back(int signal) {
  TempDir dir;
  DrillWithService drill(dir);
  Victim& victim = drill.victim;
  auto& runner = drill.runner;
  int service_pid = drill.service_pid;
  kill(runner->pid(), signal);
  int status = runner->wait(Millis(20000));
  INFO(*read_file(dir.file("runner.log")));
  REQUIRE(status != -1);
  CHECK(exit_code_of(status) == 3);
  CHECK(process_state(victim.process.pid()) != 'T');
  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "aborted");
  CHECK(record["reason"].get<std::string>().find("stopped by SIG") != std::string::npos);
  CHECK(record["faults"][0]["rollback"]["ok"] == true);
  CHECK(list_journals(dir.file("home") + "/journal").empty());
  // The runner stopped the service it started (reaped by the runner: gone entirely).
  CHECK(process_state(service_pid) == '?');
}

}  // namespace

TEST_CASE("SIGINT rolls back a paused process, stops services, writes the record and exits 3") {
  check_signal_rolls_back(SIGINT);
}

TEST_CASE("SIGTERM rolls back a paused process, stops services, writes the record and exits 3") {
  check_signal_rolls_back(SIGTERM);
}

TEST_CASE("a paused process is resumed by recover after the runner is SIGKILLed") {
  TempDir dir;
  Victim victim{dir};
  auto runner = start_runner(dir, dir.write("plan.yaml", pause_plan(victim.pidfile)));
  REQUIRE(eventually([&] { return process_state(victim.process.pid()) == 'T'; }, Millis(10000)));
  kill(runner->pid(), SIGKILL);
  REQUIRE(runner->wait(Millis(5000)) != -1);
  // Nobody resumed it: the journal is all that is left.
  std::this_thread::sleep_for(Millis(200));
  CHECK(process_state(victim.process.pid()) == 'T');
  REQUIRE(list_journals(dir.file("home") + "/journal").size() == 1);

  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  CHECK(recover.out.find("undid fault/freeze") != std::string::npos);
  CHECK(process_state(victim.process.pid()) != 'T');
  CHECK(list_journals(dir.file("home") + "/journal").empty());

  CliRun again = run_cli({"recover"}, dir.file("home"));
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("nothing to recover") != std::string::npos);
}

TEST_CASE("recover stops the services a SIGKILLed runner started") {
  TempDir dir;
  DrillWithService drill(dir);
  Victim& victim = drill.victim;
  auto& runner = drill.runner;
  int service_pid = drill.service_pid;
  REQUIRE(process_state(service_pid) != '?');
  kill(runner->pid(), SIGKILL);
  REQUIRE(runner->wait(Millis(5000)) != -1);
  CHECK(process_state(service_pid) != '?');

  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  CHECK(recover.out.find("undid service/idle/") != std::string::npos);
  CHECK(eventually(
      [&] {
        char state = process_state(service_pid);
        return state == '?' || state == 'Z';
      },
      Millis(5000)));
  CHECK(process_state(victim.process.pid()) != 'T');
}

TEST_CASE("recover leaves the journal of a drill that is still running alone") {
  TempDir dir;
  Victim victim{dir};
  auto runner = start_runner(dir, dir.write("plan.yaml", pause_plan(victim.pidfile)));
  REQUIRE(eventually([&] { return process_state(victim.process.pid()) == 'T'; }, Millis(10000)));
  CliRun recover = run_cli({"recover"}, dir.file("home"));
  CHECK(recover.out.find("still running") != std::string::npos);
  CHECK(process_state(victim.process.pid()) == 'T');
  kill(runner->pid(), SIGINT);
  CHECK(exit_code_of(runner->wait(Millis(20000))) == 3);
  CHECK(process_state(victim.process.pid()) != 'T');
}
