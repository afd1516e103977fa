// A fault's inject step is journaled (its process group) before it runs: a runner killed
// mid-step leaves recover a way to stop it before the rollback, and SIGINT cuts it short.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

TEST_CASE(
    "after a SIGKILL mid-inject, recover stops the inject step before rolling back, so "
    "its effect never appears") {
  TempDir dir;
  std::map<std::string, std::string> env{{"FAULTLINE_LOCK_DIR", dir.file("locks")}};
  std::string flag = dir.file("FLAG");
  std::string plan = fast_plan("slow-inject",
                               "  - {name: slow, type: exec, at: 0s, params: {inject: \"sleep 2; "
                               "touch " +
                                   flag + "\", rollback: \"rm -f " + flag + "\"}}\n");
  auto runner = start_cli({"--home", dir.file("home"), "run", dir.write("plan.yaml", plan),
                           "--records", dir.file("records")},
                          dir.file("runner.log"), env);
  // The step's process group is in the journal before the step runs.
  REQUIRE(eventually(
      [&] {
        auto journals = list_journals(dir.file("home/journal"));
        return journals.size() == 1 && file_contains(journals[0], "\"fault/slow/inject-1\"");
      },
      Millis(10000)));
  std::this_thread::sleep_for(Millis(800));
  kill(runner->pid(), SIGKILL);
  REQUIRE(runner->wait(Millis(5000)) != -1);
  REQUIRE_FALSE(std::filesystem::exists(flag));

  CliRun recover = run_cli_env({"recover"}, dir.file("home"), env);
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  size_t step = recover.out.find("undid fault/slow/inject-1 (inject step of fault/slow");
  size_t fault = recover.out.find("undid fault/slow (ran ");
  CHECK(step != std::string::npos);
  CHECK(fault != std::string::npos);
  CHECK(step < fault);
  // Long after the step would have finished, its effect has not appeared.
  std::this_thread::sleep_for(Millis(2500));
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(list_journals(dir.file("home/journal")).empty());
}

TEST_CASE(
    "SIGINT during a long inject step interrupts it: exit 3 within seconds, its process "
    "group gone, the record saying SIGINT") {
  TempDir dir;
  std::string step_pid_file = dir.file("inject.pid");
  std::string undone = dir.file("undone");
  std::string plan = fast_plan(
      "long-inject", "  - {name: slow, type: exec, at: 0s, params: {inject: \"echo $$$$ > " +
                         step_pid_file + "; sleep 30\", rollback: \"touch " + undone +
                         "\", timeout: 60s}}\n");
  auto runner = start_cli({"--home", dir.file("home"), "run", dir.write("plan.yaml", plan),
                           "--records", dir.file("records")},
                          dir.file("runner.log"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  REQUIRE(eventually([&] { return file_contains(step_pid_file, "\n"); }, Millis(10000)));
  pid_t step = std::stoi(*read_file(step_pid_file));
  REQUIRE(live_processes_in_group(step).size() == 2);  // the shell and its sleep

  MonoTime asked = MonoClock::now();
  kill(runner->pid(), SIGINT);
  int status = runner->wait(Millis(10000));
  INFO(*read_file(dir.file("runner.log")));
  REQUIRE(status != -1);
  CHECK(MonoClock::now() - asked < Millis(3000));
  CHECK(exit_code_of(status) == 3);
  CHECK(live_processes_in_group(step).empty());
  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "aborted");
  CHECK(record["reason"] == "stopped by SIGINT during faults");
  const Json& fault = record["faults"][0];
  CHECK(fault["inject"]["error"].get<std::string>().find("was cancelled") != std::string::npos);
  CHECK(fault["steps"][0]["outcome"] == "was cancelled");
  // What the inject may have done half-way is rolled back all the same.
  CHECK(fault["rollback"]["ok"] == true);
  CHECK(std::filesystem::exists(undone));
  CHECK(list_journals(dir.file("home/journal")).empty());
}
