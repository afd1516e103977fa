// Built-in faults against real processes and files, through the real binary.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

std::string exec_fault_plan(const std::string& flag, const std::string& rollback) {
  return fast_plan("exec-drill",
                   "  - name: flag\n    type: exec\n    at: 100ms\n    duration: 300ms\n"
                   "    params: {inject: \"touch " +
                       flag + "\", rollback: \"" + rollback + "\"}\n");
}

}  // namespace

TEST_CASE("an exec fault's rollback command runs after its duration") {
  TempDir dir;
  std::string flag = dir.file("flag");
  CliRun run = run_cli({"run", dir.write("plan.yaml", exec_fault_plan(flag, "rm " + flag)),
                        "--records", dir.file("records")},
                       dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  Json fault = only_record(dir.file("records"))["faults"][0];
  CHECK(fault["rollback"]["needed"] == true);
  CHECK(fault["rollback"]["ok"] == true);
  double held = fault["rolled_back_at_ms"].get<double>() - fault["injected_at_ms"].get<double>();
  CHECK(held >= 300.0);
  CHECK(held < 1000.0);
}

TEST_CASE("a failing rollback exits 4, says what is left, and keeps the journal for recover") {
  TempDir dir;
  std::string flag = dir.file("flag");
  std::string gate = dir.file("rollback-may-run");
  // The rollback fails until the gate file exists, like a dependency that is down.
  std::string rollback = "test -e " + gate + " && rm " + flag;
  CliRun run = run_cli({"run", dir.write("plan.yaml", exec_fault_plan(flag, rollback)), "--records",
                        dir.file("records")},
                       dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  CHECK(run.out.find("LEFT FAULTED: fault 'flag' (exec) on local: rollback command") !=
        std::string::npos);
  CHECK(std::filesystem::exists(flag));
  CHECK(only_record(dir.file("records"))["verdict"] == "rollback_failed");
  REQUIRE(list_journals(dir.file("home") + "/journal").size() == 1);

  CliRun blocked = run_cli({"recover"}, dir.file("home"));
  CHECK(blocked.exit_code == 4);
  CHECK(std::filesystem::exists(flag));

  dir.write("rollback-may-run", "");
  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out);
  CHECK(recover.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(list_journals(dir.file("home") + "/journal").empty());
}

TEST_CASE("a failing inject aborts with exit 3 and still runs its rollback") {
  TempDir dir;
  std::string undone = dir.file("undone");
  std::string plan =
      fast_plan("bad-inject",
                "  - {name: broken, type: exec, at: 0s, params: {inject: \"exit 7\", rollback: "
                "\"touch " +
                    undone + "\"}}\n");
  CliRun run = run_cli({"run", dir.write("plan.yaml", plan), "--records", dir.file("records")},
                       dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("could not be injected: inject command /bin/sh -c 'exit 7' exited 7") !=
        std::string::npos);
  CHECK(std::filesystem::exists(undone));
}

TEST_CASE("process.kill by process name refuses an ambiguous name unless all: true") {
  TempDir dir;
  // Two processes with a name nobody else has: a copy of sleep under a unique name.
  std::string name = "fl-sleep-" + std::to_string(getpid());
  std::filesystem::copy_file("/bin/sleep", dir.file(name));
  std::filesystem::permissions(dir.file(name), std::filesystem::perms::owner_all);
  OwnedProcess first(Command{{dir.file(name), "300"}, "", {}}, dir.file("a.log"));
  OwnedProcess second(Command{{dir.file(name), "300"}, "", {}}, dir.file("b.log"));
  auto plan = [&](const std::string& all) {
    return fast_plan("kill-by-name",
                     "  - {name: kill, type: process.kill, at: 0s, target: {process: " + name +
                         all + "}, params: {signal: TERM}}\n");
  };
  CliRun ambiguous = run_cli(
      {"run", dir.write("one.yaml", plan("")), "--records", dir.file("records")}, dir.file("home"));
  CHECK(ambiguous.exit_code == 3);
  CHECK(ambiguous.out.find("2 processes are named '" + name + "'") != std::string::npos);
  CHECK(process_state(first.pid()) != '?');

  CliRun all = run_cli({"run", dir.write("all.yaml", plan(", all: true, max: 2")), "--records",
                        dir.file("records2")},
                       dir.file("home"));
  INFO(all.out << all.err);
  CHECK(all.exit_code == 0);
  CHECK(WIFSIGNALED(first.wait(Millis(5000))));
  CHECK(WIFSIGNALED(second.wait(Millis(5000))));
}

TEST_CASE("an unhealthy baseline aborts before any fault is injected") {
  TempDir dir;
  std::string flag = dir.file("flag");
  std::string plan = fast_plan(
      "broken-baseline",
      "  - {name: flag, type: exec, at: 0s, params: {inject: \"touch " + flag + "\"}}\n",
      "    - {name: down, tcp: {port: " + std::to_string(free_port()) + ", timeout: 200ms}}\n");
  CliRun run = run_cli({"run", dir.write("plan.yaml", plan), "--records", dir.file("records")},
                       dir.file("home"));
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("baseline: the steady state did not hold before any fault") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(only_record(dir.file("records"))["counters"]["faults_injected"] == 0);
}

TEST_CASE("faults still active at the rollback phase are rolled back last-injected first") {
  TempDir dir;
  std::string log = dir.file("order.log");
  std::string faults;
  for (const char* name : {"first", "second", "third"}) {
    faults += std::string("  - {name: ") + name + ", type: exec, " +
              (std::string(name) == "first" ? "at: 0s" : "after: first + 50ms") +
              ", params: {inject: \"echo inject " + name + " >> " + log +
              "\", rollback: \"echo rollback " + name + " >> " + log + "\"}}\n";
  }
  CliRun run = run_cli(
      {"run", dir.write("plan.yaml", fast_plan("order", faults)), "--records", dir.file("records")},
      dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(*read_file(log) ==
        "inject first\ninject second\ninject third\nrollback third\nrollback second\nrollback "
        "first\n");
}
