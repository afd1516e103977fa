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
  CliRun missing_var = run_cli({"validate", plan});
  CHECK(missing_var.exit_code == 2);
  CHECK(missing_var.err.find("var 'TOKEN' has no default; pass --var TOKEN=VALUE") !=
        std::string::npos);
}
