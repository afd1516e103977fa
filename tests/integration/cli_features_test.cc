// CLI features around a drill: dry runs, type listings, secrets, machine logs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "runner/os/files.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

std::string noop_plan() {
  return fast_plan("noop", "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n");
}

}  // namespace

TEST_CASE("a dry run prints the timeline and injects nothing") {
  TempDir dir;
  OwnedProcess victim(Command{{"sleep", "300"}, "", {}}, dir.file("sleep.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  std::string plan = fast_plan(
      "dry", "  - {name: freeze, type: process.pause, at: 1s, duration: 2s, target: {pidfile: " +
                 pidfile + "}}\n");
  CliRun run =
      run_cli({"run", dir.write("plan.yaml", plan), "--dry-run", "--records", dir.file("records")},
              dir.file("home"));
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("T+1s        inject freeze (process.pause)") != std::string::npos);
  CHECK(run.out.find("T+3s        roll back freeze") != std::string::npos);
  CHECK(process_state(victim.pid()) != 'T');
  CHECK_FALSE(std::filesystem::exists(dir.file("records")));
}

TEST_CASE("types lists every fault and probe type with its parameters") {
  CliRun run = run_cli({"types", "--json"});
  REQUIRE(run.exit_code == 0);
  Json types = Json::parse(run.out);
  std::vector<std::string> faults, probes;
  for (const auto& type : types["faults"]) faults.push_back(type["name"]);
  for (const auto& type : types["probes"]) probes.push_back(type["name"]);
  for (const char* name :
       {"exec", "network.netem", "network.partition", "process.kill", "process.pause",
        "redis.failover"}) {
    CHECK(std::count(faults.begin(), faults.end(), name) == 1);
  }
  CHECK(std::is_sorted(faults.begin(), faults.end()));
  CHECK(probes == std::vector<std::string>{"exec", "http", "lua", "redis", "sql", "tcp"});
  Json kill;
  for (const auto& type : types["faults"]) {
    if (type["name"] == "process.kill") kill = type;
  }
  CHECK(kill["params"][0]["name"] == "signal");
  CHECK(kill["params"][0]["default"] == "KILL");
  CliRun text = run_cli({"types"});
  CHECK(text.out.find("expect_status") != std::string::npos);
}

TEST_CASE("secret values from the environment never reach the record or the log") {
  TempDir dir;
  std::string secret = "hunter2-" + std::to_string(getpid());
  std::string plan = fast_plan(
      "secrets",
      "  - {name: noop, type: exec, at: 0s, params: {inject: \"echo ${env:FL_TEST_TOKEN}\"}}\n",
      "    - {name: token, exec: {command: \"echo ${env:FL_TEST_TOKEN}; exit 0\"}}\n");
  std::string path = dir.write("plan.yaml", plan);
  Command command{{FAULTLINE_BINARY, "--home", dir.file("home"), "run", path, "--records",
                   dir.file("records"), "--log-format", "json"},
                  "",
                  {{"FL_TEST_TOKEN", secret}}};
  auto result = run_command(command, Millis(60000));
  REQUIRE(result.ok());
  CHECK(result->exit_code == 0);
  std::string record = only_record(dir.file("records")).dump();
  CHECK(record.find(secret) == std::string::npos);
  CHECK(record.find("[secret]") != std::string::npos);
  CHECK(result->out.find(secret) == std::string::npos);
  CHECK(result->err.find(secret) == std::string::npos);
}

TEST_CASE("the json log format writes one JSON object per line") {
  TempDir dir;
  std::string plan = noop_plan();
  CliRun run = run_cli({"run", dir.write("plan.yaml", plan), "--records", dir.file("records"),
                        "--log-format", "json"},
                       dir.file("home"));
  CHECK(run.exit_code == 0);
  std::istringstream lines(run.err);
  int parsed = 0;
  std::vector<std::string> kinds;
  for (std::string line; std::getline(lines, line);) {
    Json event = Json::parse(line);  // throws (fails the test) on a non-JSON line
    kinds.push_back(event["kind"]);
    ++parsed;
  }
  CHECK(parsed >= 5);
  CHECK(std::find(kinds.begin(), kinds.end(), "inject") != kinds.end());
  CHECK(kinds.back() == "finish");
}

TEST_CASE("on a terminal the live view redraws a status line with phase and probe state") {
  TempDir dir;
  std::string plan = dir.write("plan.yaml", noop_plan());
  // script(1) gives the runner a pseudo-terminal, as an SRE's shell would.
  std::string line = std::string(FAULTLINE_BINARY) + " --home " + dir.file("home") + " run " +
                     plan + " --records " + dir.file("records");
  auto result =
      run_command(Command{{"script", "-q", "-e", "-c", line, "/dev/null"}, "", {}}, Millis(60000));
  REQUIRE(result.ok());
  CHECK(result->exit_code == 0);
  CHECK(result->out.find("\r\x1b[K") != std::string::npos);
  CHECK(result->out.find("alive \x1b[32mok") != std::string::npos);
  CHECK(result->out.find("phase faults") != std::string::npos);
}

TEST_CASE("without a terminal the view is plain timestamped lines, and --quiet silences it") {
  TempDir dir;
  std::string plan = dir.write("plan.yaml", noop_plan());
  CliRun plain = run_cli({"run", plan, "--records", dir.file("records")}, dir.file("home"));
  CHECK(plain.exit_code == 0);
  CHECK(plain.err.find("\x1b[") == std::string::npos);
  // A UTC stamp, then the offset: a few ms at most on a loaded machine, not always 0.000.
  CHECK(plain.err.rfind("Z +0.00", plain.err.find("s phase preflight\n")) != std::string::npos);
  CHECK(plain.err.find(" inject noop: ") != std::string::npos);
  CliRun quiet =
      run_cli({"run", plan, "--records", dir.file("records"), "--quiet"}, dir.file("home"));
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  CHECK(quiet.out.find("noop PASSED (exit 0)") != std::string::npos);
}

TEST_CASE("FAULTLINE_HOME places records, journal and logs") {
  TempDir dir;
  std::string plan = dir.write("plan.yaml", noop_plan());
  auto result = run_command(
      Command{
          {FAULTLINE_BINARY, "run", plan, "--quiet"}, "", {{"FAULTLINE_HOME", dir.file("state")}}},
      Millis(60000));
  REQUIRE(result.ok());
  CHECK(result->exit_code == 0);
  Json record = only_record(dir.file("state/records"));
  CHECK(record["plan"]["name"] == "noop");
  CHECK(std::filesystem::exists(dir.file("state/journal")));
}

TEST_CASE("a dry run lists the fault events in time order, rollbacks before injects at one time") {
  TempDir dir;
  std::string plan = fast_plan(
      "dry-order",
      "  - {name: long, type: exec, at: 1s, duration: 5s, params: {inject: [\"true\"]}}\n"
      "  - {name: short, type: exec, at: 2s, duration: 4s, params: {inject: [\"true\"]}}\n"
      "  - {name: later, type: exec, at: 6s, params: {inject: [\"true\"]}}\n");
  CliRun run =
      run_cli({"run", dir.write("plan.yaml", plan), "--dry-run", "--records", dir.file("records")},
              dir.file("home"));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  std::vector<std::string> events;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  T+", 0) == 0) events.push_back(line.substr(0, line.find(" (")));
  }
  CHECK(events ==
        std::vector<std::string>{"  T+1s        inject long", "  T+2s        inject short",
                                 "  T+6s        roll back long", "  T+6s        roll back short",
                                 "  T+6s        inject later"});
}
