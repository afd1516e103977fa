#include <catch2/catch.hpp>

#include "runner/os/files.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("an unknown command exits 2 and suggests the nearest one") {
  CliRun run = run_cli({"valdate", "x.yaml"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("unknown command 'valdate', did you mean 'validate'?") != std::string::npos);
}

TEST_CASE("an unknown flag exits 2 and suggests the nearest one") {
  CliRun run = run_cli({"run", "scenarios/quickstart.yaml", "--dryrun"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("unknown option '--dryrun', did you mean '--dry-run'?") != std::string::npos);
}

TEST_CASE("every subcommand has --help") {
  for (const char* command : {"validate", "run", "recover", "types", "version"}) {
    CliRun run = run_cli({command, "--help"});
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("Usage") != std::string::npos);
  }
}

TEST_CASE("version prints the version") {
  CliRun run = run_cli({"version"});
  CHECK(run.exit_code == 0);
  CHECK(run.out.rfind("faultline 0.", 0) == 0);
}

TEST_CASE("the plan in the README validates, so the documentation stays true") {
  std::string readme = *faultline::read_file(source_path("README.md"));
  size_t start = readme.find("```yaml\n");
  REQUIRE(start != std::string::npos);
  start += 8;
  size_t end = readme.find("```", start);
  TempDir dir;
  std::string plan = dir.write("readme.yaml", readme.substr(start, end - start));
  CliRun run = run_cli({"validate", plan, "--var", "TOKEN=example"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  // CI checks it without the secret: a note, and exit 0; a run cannot go without it.
  CliRun without_secret = run_cli({"validate", plan});
  INFO(without_secret.err);
  CHECK(without_secret.exit_code == 0);
  CHECK(without_secret.out.find(plan + ": ok: plan 'web-restart'") == 0);
  CHECK(without_secret.err.find(": note: var 'TOKEN' has no value; checked without it (pass "
                                "--var TOKEN=... to check it too)\n") != std::string::npos);
  CHECK(without_secret.err.find("error") == std::string::npos);
  CliRun dry_run = run_cli({"run", plan, "--dry-run"});
  CHECK(dry_run.exit_code == 2);
  CHECK(dry_run.err.find(": error: var 'TOKEN' has no default; pass --var TOKEN=VALUE\n") !=
        std::string::npos);
}

TEST_CASE("validate checks the rest of a plan without its secrets, and notes what it skipped") {
  ::unsetenv("FAULTLINE_TEST_UNSET_TOKEN");
  std::string probes =
      "    - {name: api, http: {url: \"http://127.0.0.1:8080/\", headers: {X-Token: "
      "\"${env:FAULTLINE_TEST_UNSET_TOKEN}\"}}}\n";
  std::string fault =
      "  - {name: wait, type: exec, at: \"${var:DELAY}\", params: {inject: [\"true\"]}}\n";
  std::string vars = "vars:\n  DELAY: {description: how long before the fault}\n";
  TempDir dir;
  std::string path = dir.write("lint.yaml", fast_plan("lint", fault, probes, vars));
  CliRun clean = run_cli({"validate", path});
  CHECK(clean.exit_code == 0);
  CHECK(clean.out == path + ": ok: plan 'lint', 1 fault(s), 1 probe(s), 0 service(s)\n");
  CHECK(clean.err ==
        path +
            ":4:3: note: var 'DELAY' has no value; checked without it (pass --var DELAY=... "
            "to check it too)\n"
            "  DELAY: {description: how long before the fault}\n"
            "  ^\n" +
            path +
            ":10:76: note: environment variable 'FAULTLINE_TEST_UNSET_TOKEN' is not set; "
            "checked without it (set it to check it too)\n" +
            probes + std::string(75, ' ') + "^\n" + path +
            ":12:34: note: fault 'wait' at is not checked: it needs var 'DELAY'\n" + fault +
            std::string(33, ' ') + "^\n");
  // The rest is still checked: a mistake elsewhere is an error, and both are counted.
  std::string broken = dir.write(
      "broken.yaml", fast_plan("lint", fault, probes, vars) + "recovery: {timeout: 0s}\n");
  CliRun errors = run_cli({"validate", broken});
  CHECK(errors.exit_code == 2);
  CHECK(errors.out.empty());
  CHECK(errors.err.find(broken + ":13:21: error: recovery timeout must be longer than 0s\n") !=
        std::string::npos);
  CHECK(errors.err.find(broken + ": 1 error, 3 notes\n") != std::string::npos);
  // Given a value, it is checked like any other.
  CliRun with_value = run_cli({"validate", path, "--var", "DELAY=soon"});
  CHECK(with_value.exit_code == 2);
  CHECK(with_value.err.find(path + ":12:34: error: fault 'wait' at: invalid duration 'soon'") !=
        std::string::npos);
}
