// Exec plugins register types in the same registry as the built-in ones, and their
// faults are journaled and recovered the same way.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

const std::string kExamples = source_path("plugins/examples");

std::string flag_plan(const std::string& flag, const std::string& duration) {
  return fast_plan("plugin-drill",
                   "  - {name: flag, type: example.flag_file, at: 0s, duration: " + duration +
                       ", params: {path: " + flag + "}}\n",
                   "    - {name: untouched, example.file_absent: {path: " + flag + ".other}}\n");
}

}  // namespace

TEST_CASE("plugin types are listed beside the built-in ones") {
  CliRun run = run_cli({"--plugins", kExamples, "types", "--json"});
  REQUIRE(run.exit_code == 0);
  Json types = Json::parse(run.out);
  std::vector<std::string> faults;
  for (const auto& type : types["faults"]) faults.push_back(type["name"]);
  CHECK(std::find(faults.begin(), faults.end(), "example.flag_file") != faults.end());
  CHECK(std::find(faults.begin(), faults.end(), "process.kill") != faults.end());
  CHECK(types["probes"][0]["name"] == "example.file_absent");
}

TEST_CASE("a plugin fault is injected and rolled back after its duration") {
  TempDir dir;
  std::string flag = dir.file("maintenance");
  CliRun run =
      run_cli({"--plugins", kExamples, "run", dir.write("plan.yaml", flag_plan(flag, "300ms")),
               "--records", dir.file("records")},
              dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  Json record = only_record(dir.file("records"));
  CHECK(record["faults"][0]["rollback"]["ok"] == true);
  CHECK(record["faults"][0]["rolled_back_at_ms"].get<double>() -
            record["faults"][0]["injected_at_ms"].get<double>() >=
        300.0);
}

TEST_CASE("recover undoes a plugin fault once the plugin is available again") {
  TempDir dir;
  std::string flag = dir.file("maintenance");
  Command command({FAULTLINE_BINARY, "--plugins", kExamples, "--home", dir.file("home"), "run",
                   dir.write("plan.yaml", flag_plan(flag, "60s")), "--records",
                   dir.file("records")});
  OwnedProcess runner(command, dir.file("runner.log"));
  REQUIRE(eventually([&] { return std::filesystem::exists(flag); }, Millis(10000)));
  kill(runner.pid(), SIGKILL);
  REQUIRE(runner.wait(Millis(5000)) != -1);

  CliRun without = run_cli({"recover"}, dir.file("home"));
  CHECK(without.exit_code == 4);
  CHECK(without.out.find(
            "type 'example.flag_file' is not registered here (is its plugin installed?") !=
        std::string::npos);
  CHECK(std::filesystem::exists(flag));

  CliRun with = run_cli({"--plugins", kExamples, "recover"}, dir.file("home"));
  INFO(with.out << with.err);
  CHECK(with.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(list_journals(dir.file("home") + "/journal").empty());
}

TEST_CASE("a plugin that describes itself badly is named in the error, exit 2") {
  TempDir dir;
  std::string plugin = dir.write("broken", "#!/bin/sh\necho not-json\n");
  std::filesystem::permissions(plugin, std::filesystem::perms::owner_all);
  CliRun run =
      run_cli({"--plugins", dir.path(), "validate", source_path("scenarios/quickstart.yaml")});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("plugin " + plugin + ": 'describe' did not print a JSON object") !=
        std::string::npos);
}
