// Output is redacted before it is shortened, end to end: a secret that straddles the
// cut of a probe's detail or a step's output leaves none of its bytes in the record or log.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/files.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("a secret across the cut of a probe detail or a step's output leaves no trace") {
  TempDir dir;
  std::string secret = "Zq9Kp" + std::to_string(getpid()) + "-tail-of-the-token";
  std::string prefix = secret.substr(0, 3);
  std::string flag = dir.file("flag");
  // The detail is "exit 1: " + output, shortened to 120 bytes: the secret starts at 113.
  std::string probe = "    - {name: check, exec: {command: \"test -e " + flag +
                      " || exit 0; echo " + std::string(105, 'x') +
                      "${env:FL_SECRET}; exit 1\"}}\n";
  // A step's stdout is kept to 4096 bytes: the secret starts at 4088.
  std::string fault =
      "  - {name: flag, type: exec, at: 0s, duration: 300ms, params: {inject: "
      "\"touch " +
      flag + "; printf '%04088d' 0; echo ${env:FL_SECRET}\", rollback: \"rm -f " + flag + "\"}}\n";
  CliRun run = run_cli_env({"run", dir.write("plan.yaml", fast_plan("cut-secret", fault, probe)),
                            "--records", dir.file("records"), "--log-format", "json"},
                           dir.file("home"),
                           {{"FL_SECRET", secret}, {"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  Json record = only_record(dir.file("records"));
  const Json& step = record["faults"][0]["steps"][0];
  CHECK(step["stdout"].get<std::string>().rfind(std::string(4088, '0') + "[s", 0) == 0);
  bool failed_round_seen = false;
  for (const auto& sample : record["probes"][0]["samples"]) {
    if (sample["ok"] == true) continue;
    failed_round_seen = true;
    CHECK(sample["detail"].get<std::string>().rfind("exit 1: " + std::string(105, 'x'), 0) == 0);
  }
  CHECK(failed_round_seen);
  std::string text = record.dump();
  CHECK(text.find(prefix) == std::string::npos);
  CHECK(run.out.find(prefix) == std::string::npos);
  CHECK(run.err.find(prefix) == std::string::npos);
}
