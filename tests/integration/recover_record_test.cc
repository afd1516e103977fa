// A runner killed with SIGKILL still leaves a drill record: `faultline recover` writes an
// "interrupted" one where the drill would have, saying what it undid, what it could not,
// and what was already gone.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/core/sha256.h"
#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

struct KilledDrill {
  explicit KilledDrill(TempDir& dir, const std::string& extra_faults = "") : dir(dir) {
    plan_text = fast_plan("killed-drill",
                          extra_faults +
                              "  - {name: freeze, type: process.pause, at: 100ms, duration: "
                              "60s, target: {pidfile: " +
                              pidfile + "}}\n",
                          kAlwaysPasses, "objectives: {rto: 5s}\n");
    plan_path = dir.write("plan.yaml", plan_text);
    auto runner = start_faultline(
        {"run", plan_path, "--records", dir.file("records"), "--junit", dir.file("junit.xml")},
        dir.file("home"), dir.file("runner.log"));
    REQUIRE(eventually([&] { return process_state(victim.pid()) == 'T'; }, Millis(20000)));
    kill(runner->pid(), SIGKILL);
    REQUIRE(runner->wait(Millis(5000)) != -1);
    REQUIRE(list_journals(dir.file("home") + "/journal").size() == 1);
    // The killed runner wrote no record of its own.
    REQUIRE(std::filesystem::is_empty(dir.file("records")));
  }
  TempDir& dir;
  OwnedProcess victim{Command({"sleep", "300"}), dir.file("victim.log")};
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  std::string plan_text;
  std::string plan_path;
};

const Json* fault_named(const Json& record, const std::string& name) {
  for (const Json& fault : record["faults"]) {
    if (fault["name"] == name) return &fault;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("recover after SIGKILL writes an interrupted record of what it undid and could not") {
  TempDir dir;
  // A fault whose rollback cannot succeed, injected before the freeze.
  KilledDrill drill(dir,
                    "  - {name: stuck, type: exec, at: 0s, params: {inject: [\"true\"], "
                    "rollback: \"echo cannot undo >&2; exit 3\"}}\n");
  CliRun recover = run_drill_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 4);
  CHECK(mentions(recover.out, "undid fault/freeze"));
  CHECK(mentions(recover.out, "FAILED to undo fault/stuck"));
  CHECK(process_state(drill.victim.pid()) != 'T');

  // In the records folder the drill journaled, not the home's.
  Json record = only_record(dir.file("records"));
  INFO(json_text(record, 2));
  CHECK(record["schema"] == "faultline.record/v2");
  CHECK(record["verdict"] == "interrupted");
  CHECK(record["plan"]["name"] == "killed-drill");
  CHECK(record["plan"]["path"] == drill.plan_path);
  CHECK(record["plan"]["sha256"] == sha256_hex(drill.plan_text));
  CHECK_FALSE(record["started_at"].get<std::string>().empty());
  CHECK(record["objectives"]["rto"]["status"] == "not_evaluated");
  CHECK(record["objectives"]["rto"]["met"].is_null());

  const Json* freeze = fault_named(record, "freeze");
  const Json* stuck = fault_named(record, "stuck");
  REQUIRE(freeze != nullptr);
  REQUIRE(stuck != nullptr);
  CHECK_FALSE((*freeze)["injected_at"].get<std::string>().empty());
  CHECK((*freeze)["rollback"]["by"] == "recover");
  CHECK((*freeze)["rollback"]["outcome"] == "undone");
  CHECK((*stuck)["rollback"]["by"] == "recover");
  CHECK((*stuck)["rollback"]["outcome"] == "failed");
  CHECK(mentions((*stuck)["rollback"]["detail"].get<std::string>(), "cannot undo"));
  REQUIRE(record["leftovers"].size() == 1);
  CHECK(mentions(record["leftovers"][0].get<std::string>(), "fault/stuck"));
  // The JUnit file the drill was asked for: the drill case errs, nothing else is judged.
  std::string junit = dir.file("junit.xml");
  std::string xml = text_of(junit);
  INFO(xml);
  CHECK(junit_schema_problems(junit) == "");
  CHECK(mentions(xml, "<error message=\"interrupted: the runner (pid "));
  CHECK(mentions(xml, "name=\"rto\""));
  CHECK(mentions(xml, "<skipped message=\"not evaluated: the drill was interrupted"));
  CHECK_FALSE(mentions(xml, "<failure"));
  // What is left stays journaled, for the next recover once the cause is fixed.
  CHECK(list_journals(dir.file("home") + "/journal").size() == 1);
}

TEST_CASE("recover says a paused process that died meanwhile was already gone, not undone") {
  TempDir dir;
  KilledDrill drill(dir);
  kill(drill.victim.pid(), SIGKILL);
  REQUIRE(drill.victim.wait(Millis(5000)) != -1);

  CliRun recover = run_drill_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  CHECK(mentions(recover.out, "fault/freeze was already gone"));
  CHECK_FALSE(mentions(recover.out, "undid fault/freeze"));
  Json record = only_record(dir.file("records"));
  const Json* freeze = fault_named(record, "freeze");
  REQUIRE(freeze != nullptr);
  CHECK((*freeze)["rollback"]["outcome"] == "already_undone");
  CHECK(record["leftovers"].empty());
  CHECK(list_journals(dir.file("home") + "/journal").empty());
}
