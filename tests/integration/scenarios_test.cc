// Each shipped scenario ends the way its comment promises.
#include <catch2/catch.hpp>

#include "runner/core/sha256.h"
#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

CliRun run_scenario(const TempDir& dir, const std::string& scenario) {
  // A free port instead of the scenario's default, so tests can run in parallel.
  return run_cli({"run", "scenarios/" + scenario, "--var", "PORT=" + std::to_string(free_port()),
                  "--records", dir.file("records"), "--junit", dir.file("junit.xml")},
                 dir.file("home"));
}

}  // namespace

TEST_CASE("the quickstart drill passes, measures a real RTO and writes a complete record") {
  TempDir dir;
  CliRun run = run_scenario(dir, "quickstart.yaml");
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("PASSED (exit 0)") != std::string::npos);

  Json record = only_record(dir.file("records"));
  CHECK(record["schema"] == "faultline.record/v2");
  CHECK(record["plan"]["name"] == "quickstart-web-restart");
  CHECK(record["plan"]["sha256"] ==
        sha256_hex(*read_file(source_path("scenarios/quickstart.yaml"))));
  CHECK(record["verdict"] == "passed");
  CHECK(record["exit_code"] == 0);
  CHECK(record["started_at"].get<std::string>() < record["ended_at"].get<std::string>());
  // The service restarts after 1s; the figure must reflect that, not a guess.
  double rto = record["objectives"]["rto"]["achieved_ms"].get<double>();
  CHECK(rto >= 1000.0);
  CHECK(rto <= 5000.0);
  CHECK(record["objectives"]["rto"]["target_ms"] == 5000);
  CHECK(record["objectives"]["rto"]["target_ms"].is_number_integer());
  CHECK(record["objectives"]["rto"]["met"] == true);
  CHECK(record["objectives"]["availability"]["met"] == true);
  CHECK(record["measurements"]["time_to_detect_ms"].get<double>() > 0);
  CHECK(record["counters"]["faults_injected"] == 1);
  CHECK(record["counters"]["service_restarts"] == 1);
  REQUIRE(record["faults"].size() == 1);
  CHECK(record["faults"][0]["inject"]["ok"] == true);
  REQUIRE(record["probes"].size() == 1);
  CHECK(record["probes"][0]["summary"]["failed"].get<int>() > 0);
  CHECK(record["probes"][0]["summary"]["latency"]["p99_ms"].get<double>() > 0);
  std::vector<std::string> phases;
  for (const auto& phase : record["phases"]) phases.push_back(phase["name"]);
  CHECK(phases == std::vector<std::string>{"preflight", "startup", "baseline", "faults", "rollback",
                                           "recovery", "observe", "teardown", "verdict"});

  std::string junit = *read_file(dir.file("junit.xml"));
  CHECK(junit.find("<testsuite name=\"faultline.quickstart-web-restart\" tests=\"4\" "
                   "failures=\"0\" errors=\"0\"") != std::string::npos);
  CHECK(junit.find("name=\"rto\"") != std::string::npos);
  CHECK(junit.find("name=\"health\"") != std::string::npos);
  // Nothing is left for recover: the journal is gone once everything is undone.
  CHECK(list_journals(dir.file("home") + "/journal").empty());
}

TEST_CASE("the rto-missed drill exits 1 and its JUnit failure carries target vs achieved") {
  TempDir dir;
  CliRun run = run_scenario(dir, "rto-missed.yaml");
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 1);
  CHECK(run.out.find("objectives missed: rto") != std::string::npos);
  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "failed");
  CHECK(record["objectives"]["rto"]["met"] == false);
  CHECK(record["objectives"]["rto"]["achieved_ms"].get<double>() > 500.0);
  std::string junit = *read_file(dir.file("junit.xml"));
  CHECK(junit.find("failures=\"1\"") != std::string::npos);
  CHECK(junit.find("<failure message=\"rto: target 500 ms, achieved ") != std::string::npos);
}

TEST_CASE("the invalid scenario exits 2 with every error as file:line:col") {
  CliRun run = run_cli({"validate", "scenarios/invalid.yaml"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("scenarios/invalid.yaml:7:3: error: unknown key 'intervl' in steady_state, "
                     "did you mean 'interval'?\n  intervl: 100ms\n  ^\n") != std::string::npos);
  CHECK(run.err.find("scenarios/invalid.yaml:13:11: error: unknown fault type 'process.kil', did "
                     "you mean 'process.kill'?") != std::string::npos);
  CHECK(
      run.err.find(
          "scenarios/invalid.yaml:10:7: error: unknown key 'htp' in probe, did you mean 'http'?") !=
      std::string::npos);
  CHECK(run.err.find("scenarios/invalid.yaml: 8 errors") != std::string::npos);
  CliRun attempt = run_cli({"run", "scenarios/invalid.yaml"});
  CHECK(attempt.exit_code == 2);
}

TEST_CASE("every shipped scenario but invalid.yaml validates") {
  for (const char* plan : {"scenarios/quickstart.yaml", "scenarios/rto-missed.yaml"}) {
    CliRun run = run_cli({"validate", plan});
    INFO(run.err);
    CHECK(run.exit_code == 0);
  }
}

TEST_CASE(
    "the network scenarios: retries hold the objective (exit 0), one try misses it (exit 1)") {
  for (const auto& [scenario, expected] : std::vector<std::pair<std::string, int>>{
           {"network-latency.yaml", 0}, {"network-latency-no-retry.yaml", 1}}) {
    TempDir dir;
    std::vector<std::string> args = {"run", "scenarios/" + scenario, "--records",
                                     dir.file("records")};
    for (const char* var : {"PORT", "PROXY_PORT", "BACKEND_PORT"}) {
      args.insert(args.end(), {"--var", std::string(var) + "=" + std::to_string(free_port())});
    }
    CliRun run = run_cli(args, dir.file("home"));
    INFO(scenario << "\n" << run.out << run.err);
    CHECK(run.exit_code == expected);
    Json record = only_record(dir.file("records"));
    for (const auto& fault : record["faults"]) CHECK(fault["rollback"]["outcome"] == "undone");
  }
}
