#include <catch2/catch.hpp>

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
