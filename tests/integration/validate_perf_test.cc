#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

// CPU time, not wall time: the suite runs beside heavy servers on two cores, and what
// matters is the work validate does, not how long the scheduler kept it waiting.
TEST_CASE(
    "validate checks a plan of 1000 faults in under a second of CPU, process start included") {
  std::string text =
      "version: 1\n"
      "name: thousand\n"
      "steady_state:\n"
      "  probes:\n"
      "    - exec: {command: [true]}\n"
      "faults:\n";
  for (int i = 0; i < 1000; ++i) {
    text += "  - name: fault-" + std::to_string(i) +
            "\n    type: exec\n    at: " + std::to_string(i * 10) +
            "ms\n    params: {inject: [true]}\n";
  }
  TempDir dir;
  std::string path = dir.write("thousand.yaml", text);
  double before = reaped_children_cpu_seconds();
  CliRun run = run_cli({"validate", path});
  double seconds = reaped_children_cpu_seconds() - before;
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out == path + ": ok: plan 'thousand', 1000 fault(s), 1 probe(s), 0 service(s)\n");
  CHECK(seconds < 1.0);
}

TEST_CASE(
    "validate refuses a hostile plan in under a second of CPU, printing at most a hundred errors") {
  std::string text = "version: 1\nname: keys\n";
  for (int i = 0; i < 20000; ++i) text += "key" + std::to_string(i) + ": value\n";
  TempDir dir;
  std::string path = dir.write("keys.yaml", text);
  double before = reaped_children_cpu_seconds();
  CliRun run = run_cli({"validate", path});
  double seconds = reaped_children_cpu_seconds() - before;
  CHECK(run.exit_code == 2);
  CHECK(run.err.find(path + ":3:1: error: unknown key 'key0' in the plan\nkey0: value\n^\n") !=
        std::string::npos);
  CHECK(run.err.find(path + ": error: and 19902 more errors, not shown\n") != std::string::npos);
  CHECK(seconds < 1.0);
}
