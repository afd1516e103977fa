// Exec plugins are programs faultline does not control: whatever they print, the runner
// says what is wrong with them, or runs the drill, and never dies of it.
#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/files.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// An executable plugin in `dir` named `name` whose describe prints `description`; every
// other verb reads its input and runs `body` (shell).
std::string write_plugin(const TempDir& dir, const std::string& name,
                         const std::string& description, const std::string& body = "echo ok\n") {
  std::filesystem::create_directories(dir.file("plugins"));
  std::string path = dir.write("plugins/" + name,
                               "#!/bin/sh\n"
                               "if [ \"$1\" = describe ]; then\n  cat <<'EOF'\n" +
                                   description + "\nEOF\n  exit 0\nfi\ncat >/dev/null\n" + body);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

}  // namespace

TEST_CASE(
    "a plugin whose describe has a wrong-typed field makes types exit 2, naming the "
    "plugin and the field") {
  struct Case {
    std::string description;
    std::string says;
  };
  for (const Case& bad :
       {Case{R"({"protocol": 1, "faults": [{"name": "team.flag", "params": [)"
             R"({"name": "path", "kind": "string", "required": "yes"}]}]})",
             "describe 'faults'[0] 'team.flag' param 'path': 'required' must be true or false, "
             "not \"yes\""},
        Case{R"({"protocol": 1, "probes": [{"name": "team.up", "summary": ["a"]}]})",
             "describe 'probes'[0] 'team.up': 'summary' must be a string, not a list"},
        Case{R"({"protocol": "one"})", "describe: 'protocol' must be an integer, not \"one\""},
        Case{R"({"protocol": 1, "faults": [{"name": "team.flag", "params": [)"
             R"({"name": "t", "kind": "duration", "default": true}]}]})",
             "param 't': default must be a duration such as \"30s\", not true"}}) {
    TempDir dir;
    std::string plugin = write_plugin(dir, "broken", bad.description);
    CliRun run = run_cli({"--plugins", dir.file("plugins"), "types"});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("faultline: plugin " + plugin + ": ") != std::string::npos);
    CHECK(run.err.find(bad.says) != std::string::npos);
    CHECK(run.err.find("internal error") == std::string::npos);
  }
}

TEST_CASE(
    "a plugin probe's timeout param that is not a duration is the plugin's own: the drill "
    "runs") {
  TempDir dir;
  // Both probes take 200 ms. A string is no duration at all, and an integer 5 is not 5 ms.
  write_plugin(dir, "slow",
               R"({"protocol": 1, "probes": [)"
               R"({"name": "team.as_text", "params": [)"
               R"({"name": "timeout", "kind": "string", "default": "soon"}]},)"
               R"({"name": "team.as_number", "params": [)"
               R"({"name": "timeout", "kind": "integer", "default": 5}]}]})",
               "sleep 0.2\necho healthy\n");
  std::string plan = fast_plan(
      "plugin-timeouts", "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n",
      "    - {name: text, team.as_text: {timeout: \"whenever\"}}\n"
      "    - {name: number, team.as_number: {}}\n");
  CliRun run = run_cli_env({"--plugins", dir.file("plugins"), "run", dir.write("plan.yaml", plan),
                            "--records", dir.file("records")},
                           dir.file("home"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  Json record = only_record(dir.file("records"));
  for (const auto& probe : record["probes"]) {
    CHECK(probe["summary"]["failed"] == 0);
    CHECK(probe["samples"][0]["detail"] == "healthy");
  }
}

TEST_CASE(
    "a plugin printing invalid UTF-8 and control bytes leaves a valid record and clean "
    "log lines") {
  TempDir dir;
  // \377 is not UTF-8; \033[2J would clear the operator's terminal; \001 is a control byte.
  // Its rollback fails saying the same, so that it reaches the log lines too.
  std::string noise = "printf 'ok \\377\\001\\033[2J\\033[31m red\\n'";
  write_plugin(dir, "noisy",
               R"({"protocol": 1, "faults": [{"name": "team.noise", "params": []}],)"
               R"( "probes": [{"name": "team.noise", "params": []}]})",
               "if [ \"$1\" = rollback ]; then " + noise + " >&2; exit 1; fi\n" + noise + "\n");
  std::string plan =
      fast_plan("noisy-plugin", "  - {name: noise, type: team.noise, at: 0s, duration: 100ms}\n",
                "    - {name: noise, team.noise: {}}\n");
  CliRun run = run_cli_env({"--plugins", dir.file("plugins"), "run", dir.write("plan.yaml", plan),
                            "--records", dir.file("records")},
                           dir.file("home"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);                       // the rollback failed, and the runner said so
  Json record = only_record(dir.file("records"));  // throws (fails) unless valid JSON
  std::string detail = record["probes"][0]["samples"][0]["detail"];
  CHECK(detail.rfind("ok \xEF\xBF\xBD", 0) == 0);  // the invalid byte became U+FFFD
  CHECK(detail.find('\x1b') == std::string::npos);
  CHECK(detail.find('\x01') == std::string::npos);
  CHECK(detail.find("red") != std::string::npos);
  std::string error = record["faults"][0]["rollback"]["error"];
  CHECK(error.find("rollback team.noise exited 1: ok ") != std::string::npos);
  CHECK(error.find('\x1b') == std::string::npos);
  // A step's own output is kept as it was, escaped in the JSON.
  CHECK(record["faults"][0]["steps"][0]["stdout"].get<std::string>().find("\x1b[2J") !=
        std::string::npos);
  CHECK(run.err.find("rollback noise: plugin ") != std::string::npos);
  CHECK(run.err.find('\x1b') == std::string::npos);
  CHECK(run.out.find('\x1b') == std::string::npos);
}
