// Where a plan comes from: regular files only, bounded, or standard input ("-"). What
// is not a plan file (a device, a FIFO, a directory) is refused at once, saying what
// it is; nothing is read past the size limit.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "runner/os/files.h"
#include "runner/plan/source_checks.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Long enough for a slow machine, short enough that a regression (reading forever,
// waiting on a FIFO) fails the test instead of hanging it.
constexpr Millis kPatience{10000};

// `faultline validate -` with `input` on standard input.
CliRun validate_stdin(const std::string& input) {
  Command command{{FAULTLINE_BINARY, "validate", "-"}, FAULTLINE_SOURCE_DIR};
  command.input = input;
  auto result = run_command(command, kPatience, {}, 1024 * 1024);
  REQUIRE(result.ok());
  REQUIRE_FALSE(result->timed_out);
  return CliRun{result->exit_code, result->out, result->err};
}

std::string quickstart() { return *read_file(source_path("scenarios/quickstart.yaml")); }

}  // namespace

TEST_CASE("validate /dev/zero is refused at once as a character device") {
  auto start = std::chrono::steady_clock::now();
  CliRun run = run_cli({"validate", "/dev/zero"}, "", kPatience);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(run.exit_code == 2);
  CHECK(run.err ==
        "/dev/zero: error: plan /dev/zero is a character device; expected a regular file (or - "
        "for standard input)\n"
        "/dev/zero: 1 error\n");
  CHECK(seconds < 2.0);
}

TEST_CASE("validate of a FIFO is refused at once instead of waiting for a writer") {
  TempDir dir;
  std::string fifo = dir.file("plan.yaml");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CliRun run = run_cli({"validate", fifo}, "", kPatience);
  CHECK(run.exit_code == 2);
  CHECK(run.err == fifo + ": error: plan " + fifo +
                       " is a FIFO; expected a regular file (or - for standard input)\n" + fifo +
                       ": 1 error\n");
}

TEST_CASE("validate of a directory says it is a directory, not that the plan is empty") {
  TempDir dir;
  CliRun run = run_cli({"validate", dir.path()}, "", kPatience);
  CHECK(run.exit_code == 2);
  CHECK(run.err == dir.path() + ": error: plan " + dir.path() +
                       " is a directory; expected a regular file (or - for standard input)\n" +
                       dir.path() + ": 1 error\n");
}

TEST_CASE("a plan file over the size limit is refused without reading the rest of it") {
  TempDir dir;
  std::string big = dir.write("big.yaml", "version: 1\nname: big\n");
  // 64 GiB, sparse: reading it all would take minutes and the memory it names.
  REQUIRE(::truncate(big.c_str(), off_t{64} << 30) == 0);
  auto start = std::chrono::steady_clock::now();
  CliRun run = run_cli({"validate", big}, "", kPatience);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(run.exit_code == 2);
  CHECK(run.err == big + ": error: plan " + big + " is larger than the limit of " +
                       std::to_string(kMaxPlanBytes) + " bytes\n" + big + ": 1 error\n");
  CHECK(seconds < 2.0);
  // At the limit itself, it is read (and then judged on its content).
  std::string at_limit = dir.write("limit.yaml", std::string(kMaxPlanBytes, '#'));
  CliRun comments = run_cli({"validate", at_limit}, "", kPatience);
  CHECK(comments.err == at_limit + ":1:1: error: plan is empty; a plan starts with 'version: 1'\n" +
                            at_limit + ": 1 error\n");
}

TEST_CASE("validate - reads the plan from standard input, and names it '-'") {
  CliRun valid = validate_stdin(quickstart());
  INFO(valid.err);
  CHECK(valid.exit_code == 0);
  CHECK(valid.out ==
        "-: ok: plan 'quickstart-web-restart', 1 fault(s), 1 probe(s), 1 service(s)\n");

  CliRun typo = validate_stdin("version: 1\nname: typo\nsteady_state:\n  intervl: 1s\n");
  CHECK(typo.exit_code == 2);
  CHECK(typo.err ==
        "-:1:1: error: the plan is missing required key 'faults'\n"
        "version: 1\n"
        "^\n"
        "-:4:3: error: unknown key 'intervl' in steady_state, did you mean 'interval'?\n"
        "  intervl: 1s\n"
        "  ^\n"
        "-:4:3: error: steady_state needs at least one probe under 'probes'\n"
        "  intervl: 1s\n"
        "  ^\n"
        "-: 3 errors\n");
}

TEST_CASE("standard input over the size limit is refused after reading one byte past it") {
  std::string huge = "version: 1\nname: huge\ndescription: " + std::string(3 << 20, 'x') + "\n";
  CliRun run = validate_stdin(huge);
  CHECK(run.exit_code == 2);
  CHECK(run.err == "-: error: plan on standard input is larger than the limit of " +
                       std::to_string(kMaxPlanBytes) + " bytes\n-: 1 error\n");
}
