#include <catch2/catch.hpp>
#include <chrono>

#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("validate checks a plan of 1000 faults in under a second, process start included") {
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
  auto start = std::chrono::steady_clock::now();
  CliRun run = run_cli({"validate", path});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out == path + ": ok: plan 'thousand', 1000 fault(s), 1 probe(s), 0 service(s)\n");
  CHECK(seconds < 1.0);
}

TEST_CASE("validate refuses a hostile plan in under a second, printing at most a hundred errors") {
  std::string text = "version: 1\nname: keys\n";
  for (int i = 0; i < 20000; ++i) text += "key" + std::to_string(i) + ": value\n";
  TempDir dir;
  std::string path = dir.write("keys.yaml", text);
  auto start = std::chrono::steady_clock::now();
  CliRun run = run_cli({"validate", path});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(run.exit_code == 2);
  CHECK(run.err.find(path + ":3:1: error: unknown key 'key0' in the plan\nkey0: value\n^\n") !=
        std::string::npos);
  CHECK(run.err.find(path + ": error: and 19902 more errors, not shown\n") != std::string::npos);
  CHECK(seconds < 1.0);
}
