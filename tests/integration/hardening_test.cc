// What a hostile world does to a running drill: bytes that are not UTF-8, a closed
// output pipe, services that leave children behind, secrets in recover's output.
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

TEST_CASE("output that is not UTF-8 is recorded, not a crash mid-rollback") {
  TempDir dir;
  std::string plan =
      fast_plan("binary",
                "  - {name: bad, type: exec, at: 0s, params: {inject: [\"true\"], "
                "rollback: \"printf 'x\\\\351\\\\351'; exit 1\"}}\n",
                "    - {name: noisy, exec: {command: \"printf 'ok\\\\351\\\\377'\"}}\n");
  CliRun run = run_cli({"run", dir.write("plan.yaml", plan), "--records", dir.file("records"),
                        "--log-format", "json"},
                       dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);  // the rollback failed, and the runner said so
  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "rollback_failed");
  CHECK(record["faults"][0]["rollback"]["error"].get<std::string>().find(
            "exited 1: x\xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE("a closed output pipe does not kill the runner with a fault injected") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("sleep.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  std::string plan = fast_plan(
      "pipe",
      "  - {name: freeze, type: process.pause, at: 0s, duration: 500ms, target: {pidfile: " +
          pidfile + "}}\n");
  std::string line = std::string(FAULTLINE_BINARY) + " --home " + dir.file("home") + " run " +
                     dir.write("plan.yaml", plan) + " --records " + dir.file("records") +
                     " 2>&1 | head -c 1; exit ${PIPESTATUS[0]}";
  auto result = run_command(Command({"bash", "-c", line}), Millis(60000));
  REQUIRE(result.ok());
  CHECK(result->exit_code == 0);
  CHECK(process_state(victim.pid()) != 'T');
  CHECK(list_journals(dir.file("home") + "/journal").empty());
}

TEST_CASE("a killed service's leftover children are stopped with it") {
  TempDir dir;
  std::string child_pid_file = dir.file("child.pid");
  std::string plan = fast_plan(
      "leftovers", "  - {name: crash, type: process.kill, at: 200ms, target: {service: wrapper}}\n",
      kAlwaysPasses,
      "services:\n  wrapper:\n    command: \"sleep 300 & echo $$! > " + child_pid_file +
          "; wait\"\n");
  CliRun run = run_cli({"run", dir.write("plan.yaml", plan), "--records", dir.file("records")},
                       dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  int child = std::stoi(*read_file(child_pid_file));
  CHECK(eventually(
      [&] {
        char state = process_state(child);
        return state == '?' || state == 'Z';
      },
      Millis(5000)));
}

TEST_CASE("recover's report never shows a secret from the environment") {
  TempDir dir;
  std::string secret = "s3cret-" + std::to_string(getpid());
  std::string flag = dir.file("flag");
  std::string plan = fast_plan(
      "secret-recover",
      "  - {name: flag, type: exec, at: 0s, duration: 60s, params: {inject: \"touch " + flag +
          " # ${env:FL_TOKEN}\", rollback: \"rm " + flag + " # ${env:FL_TOKEN}\"}}\n");
  Command command({FAULTLINE_BINARY, "--home", dir.file("home"), "run",
                   dir.write("plan.yaml", plan), "--records", dir.file("records")},
                  "", {{"FL_TOKEN", secret}});
  OwnedProcess runner(command, dir.file("runner.log"));
  REQUIRE(eventually([&] { return std::filesystem::exists(flag); }, Millis(10000)));
  kill(runner.pid(), SIGKILL);
  REQUIRE(runner.wait(Millis(5000)) != -1);
  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out);
  CHECK(recover.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(recover.out.find(secret) == std::string::npos);
  CHECK(recover.out.find("[secret]") != std::string::npos);
}
