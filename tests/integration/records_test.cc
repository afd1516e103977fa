// The drill record, end to end: an aborted drill is not judged; no drill runs that could
// not leave a record, and one whose folder broke mid-drill still leaves one and says so;
// and what a record says reads well (units in names, one time base, what commands said).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <sstream>

#include "runner/core/sha256.h"
#include "runner/os/files.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

double ms(const Json& value) { return value.get<double>(); }

// A drill that pauses the process in `pidfile` for 2 s.
std::string pause_plan(const std::string& name, const std::string& pidfile) {
  return fast_plan(name,
                   "  - {name: freeze, type: process.pause, at: 0s, duration: 2s, "
                   "target: {pidfile: " +
                       pidfile + "}}\n");
}

}  // namespace

TEST_CASE("an aborted drill judges no objective, in the record, the summary and JUnit") {
  TempDir dir;
  const int closed_port = free_port();
  std::string plan = fast_plan(
      "unhealthy", "  - {name: flag, type: exec, at: 0s, params: {inject: [\"true\"]}}\n",
      fmt::format("    - {{name: web, http: {{url: \"http://127.0.0.1:{}/\"}}}}\n", closed_port),
      "objectives: {rto: 1s, availability: 99%}\n");
  std::string junit = dir.file("junit.xml");
  CliRun run = run_drill_cli(
      {"run", dir.write("plan.yaml", plan), "--records", dir.file("records"), "--junit", junit},
      dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);

  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "aborted");
  REQUIRE(record["objectives"].size() == 2);
  for (const auto& [name, objective] : record["objectives"].items()) {
    INFO(name);
    CHECK(objective["status"] == "not_evaluated");
    CHECK(objective["met"].is_null());
    CHECK(objective["achieved_" + std::string(name == "rto" ? "ms" : "percent")].is_null());
  }
  CHECK(count_of(run.out, "not evaluated") == 2);
  CHECK_FALSE(mentions(run.out, "MISSED"));
  CHECK_FALSE(mentions(run.out, " met\n"));

  std::string xml = text_of(junit);
  INFO(xml);
  CHECK(junit_schema_problems(junit) == "");
  CHECK(count_of(xml, "<skipped ") == 3);  // two objectives and one probe
  CHECK(count_of(xml, "<error ") == 1);
  CHECK_FALSE(mentions(xml, "<failure"));
  CHECK(mentions(xml, "name=\"drill\""));
  CHECK(mentions(xml, "<error message=\"aborted: baseline: the steady state did not hold"));
}

TEST_CASE("records under a regular file fail preflight before any fault acts") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  std::string file = dir.write("file", "not a folder\n");
  CliRun run = run_drill_cli({"run", dir.write("plan.yaml", pause_plan("bad-records", pidfile)),
                              "--records", file + "/records"},
                             dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  CHECK(mentions(run.out, "ABORTED (exit 3): preflight: records folder " + file + "/records"));
  CHECK(process_state(victim.pid()) != 'T');
  // The aborted drill's own record went where a record can go, and says nothing acted.
  Json record = only_record(dir.file("home") + "/records");
  CHECK(record["verdict"] == "aborted");
  CHECK(record["counters"]["faults_injected"] == 0);
  CHECK(record["faults"][0]["injected_at_ms"].is_null());
  CHECK(record["exit_code"] == 3);
  REQUIRE(record["notes"].size() == 1);
  CHECK(mentions(record["notes"][0].get<std::string>(), "cannot write record to " + file));
  CHECK(mentions(run.out, "RECORD NOT WRITTEN WHERE ASKED"));
}

TEST_CASE("a JUnit path that is a folder fails preflight before any fault acts") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  std::filesystem::create_directories(dir.file("reports"));
  CliRun run = run_drill_cli({"run", dir.write("plan.yaml", pause_plan("bad-junit", pidfile)),
                              "--records", dir.file("records"), "--junit", dir.file("reports")},
                             dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  CHECK(mentions(run.out, "JUnit report path " + dir.file("reports") + " is a folder"));
  CHECK(process_state(victim.pid()) != 'T');
  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "aborted");
  CHECK(record["counters"]["faults_injected"] == 0);
  REQUIRE(record["notes"].size() == 1);
  CHECK(mentions(record["notes"][0].get<std::string>(), "JUnit report not written"));
}

TEST_CASE("a records folder that breaks mid-drill leaves the record in the home, and exit 5") {
  TempDir dir;
  std::string flag = dir.file("flag");
  std::string records = dir.file("records");
  std::string plan =
      fast_plan("records-break",
                "  - {name: mark, type: exec, at: 0s, duration: 1s, params: {inject: "
                "\"touch " +
                    flag + "\", rollback: \"rm -f " + flag + "\"}}\n");
  auto runner = start_faultline({"run", dir.write("plan.yaml", plan), "--records", records},
                                dir.file("home"), dir.file("runner.log"));
  REQUIRE(eventually([&] { return std::filesystem::exists(flag); }, Millis(20000)));
  // Preflight made the folder; now it is a file, so the record cannot go there.
  std::filesystem::remove_all(records);
  dir.write("records", "in the way\n");
  int status = runner->wait(Millis(30000));
  std::string log = text_of(dir.file("runner.log"));
  INFO(log);
  REQUIRE(status != -1);
  CHECK(WEXITSTATUS(status) == 5);
  Json record = only_record(dir.file("home") + "/records");
  CHECK(record["verdict"] == "passed");
  // The record explains why it is here, and gives the code the run exited with.
  CHECK(record["exit_code"] == 5);
  REQUIRE(record["notes"].size() == 1);
  CHECK(mentions(record["notes"][0].get<std::string>(), "cannot write record to " + records));
  CHECK(mentions(log, "RECORD NOT WRITTEN WHERE ASKED: cannot write record to " + records));
  CHECK(mentions(log, "saved it in " + dir.file("home") + "/records instead"));
  // The summary's headline gives the exit code the runner returns, not the drill's alone.
  CHECK_FALSE(mentions(log, "PASSED (exit 0)"));
  CHECK(mentions(log,
                 "records-break PASSED (exit 5: the drill ran, but its outputs did not all go "
                 "where asked)"));
}

TEST_CASE("a record reads well: one time base, units in names, what commands said, in order") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  std::string flag = dir.file("flag");
  std::string secret = "tok-" + std::to_string(getpid()) + "-secret";
  std::string plan_text =
      "version: 1\nname: readable\n"
      "vars:\n  TOKEN: {secret: true}\n  GREETING: hello\n"
      "objectives: {rto: 5s}\n"
      "steady_state:\n  interval: 50ms\n  baseline_rounds: 2\n  recovered_after: 2\n"
      "  probes:\n    - {name: flag, exec: {command: \"test ! -e " +
      flag +
      "\"}}\n"
      "faults:\n"
      "  - name: flag\n    type: exec\n    at: 0s\n    duration: 300ms\n"
      "    params:\n"
      "      inject: \"echo said-${var:TOKEN}; echo complained >&2; head -c 10000 /dev/zero | tr "
      "'\\\\0' x; touch " +
      flag +
      "\"\n"
      "      rollback: \"rm -f " +
      flag +
      "; echo undone\"\n"
      "      timeout: 5s\n"
      "  - {name: crash, type: process.kill, at: 500ms, target: {pidfile: " +
      pidfile + "}, params: {signal: KILL}}\n";
  std::string plan_path = dir.write("plan.yaml", plan_text);
  // Given relative to where the runner starts, so the record must make it absolute.
  std::string relative = std::filesystem::relative(plan_path, FAULTLINE_SOURCE_DIR).string();
  REQUIRE(relative.rfind("..", 0) == 0);
  CliRun run = run_drill_cli({"run", relative, "--records", dir.file("records"), "--var",
                              "TOKEN=" + secret, "--var", "GREETING=hi", "--log-format", "json"},
                             dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  std::string record_text;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("records"))) {
    record_text = text_of(entry.path().string());
  }
  CHECK_FALSE(mentions(record_text, secret));
  CHECK_FALSE(mentions(run.out + run.err, secret));
  Json record = only_record(dir.file("records"));

  CHECK(record["schema"] == "faultline.record/v2");
  CHECK(mentions(record["time_base"].get<std::string>(), "since started_at"));
  CHECK(record["plan"]["path"] == plan_path);
  CHECK(record["plan"]["sha256"] == sha256_hex(plan_text));
  CHECK(record["plan"]["vars"].size() == 2);
  CHECK(record["plan"]["vars"]["TOKEN"] == "[secret]");
  CHECK(record["plan"]["vars"]["GREETING"] == "hi");

  // Units in names, signals by name, integers where integral.
  const Json& flag_fault = record["faults"][0];
  const Json& crash = record["faults"][1];
  CHECK(flag_fault["params"]["timeout_ms"] == 5000);
  CHECK(flag_fault["params"]["timeout_ms"].is_number_integer());
  CHECK_FALSE(flag_fault["params"].contains("timeout"));
  CHECK(crash["params"]["signal"] == "KILL");
  CHECK(flag_fault["duration_ms"] == 300);
  CHECK(flag_fault["duration_ms"].is_number_integer());
  CHECK(record["steady_state"]["interval_ms"].is_number_integer());
  CHECK(record["objectives"]["rto"]["target_ms"].is_number_integer());
  CHECK(record["measurements"]["resolution_ms"].is_number_integer());

  // What the inject and rollback commands said, redacted and cut short.
  const Json& steps = flag_fault["steps"];
  REQUIRE(steps.size() == 2);
  CHECK(steps[0]["step"] == "inject");
  CHECK(steps[0]["exit_code"] == 0);
  CHECK(mentions(steps[0]["stdout"].get<std::string>(), "said-[secret]"));
  CHECK(steps[0]["stdout"].get<std::string>().size() <= 4096);
  CHECK(mentions(steps[0]["stderr"].get<std::string>(), "complained"));
  CHECK(steps[1]["step"] == "rollback");
  CHECK(mentions(steps[1]["stdout"].get<std::string>(), "undone"));
  CHECK(ms(steps[0]["started_ms"]) >= ms(flag_fault["injected_at_ms"]));
  CHECK(ms(steps[1]["started_ms"]) >= ms(flag_fault["rolled_back_at_ms"]));

  // One time base: every offset lies within the drill, and the timeline is in order.
  double duration = ms(record["duration_ms"]);
  for (const Json& fault : record["faults"]) {
    CHECK(ms(fault["injected_at_ms"]) > 0);
    CHECK(ms(fault["injected_at_ms"]) < duration);
  }
  const Json& timeline = record["timeline"];
  std::vector<std::string> flag_probe_states;
  for (size_t i = 0; i < timeline.size(); ++i) {
    CHECK(ms(timeline[i]["t_ms"]) <= duration + 1);
    if (i > 0) CHECK(ms(timeline[i]["t_ms"]) >= ms(timeline[i - 1]["t_ms"]));
    if (timeline[i]["kind"] == "probe" && timeline[i]["name"] == "flag") {
      flag_probe_states.push_back(timeline[i]["ok"] ? "ok" : "FAILING");
    }
  }
  // ok -> FAILING -> ok, each event a change (rounds that finish out of order on a loaded
  // machine may add a change back and forth, never a repeat).
  REQUIRE(flag_probe_states.size() >= 3);
  CHECK(flag_probe_states.front() == "ok");
  CHECK(flag_probe_states[1] == "FAILING");
  CHECK(flag_probe_states.back() == "ok");
  for (size_t i = 1; i < flag_probe_states.size(); ++i) {
    CHECK(flag_probe_states[i] != flag_probe_states[i - 1]);
  }
  // The summary says so when a fault caused no outage, rather than "detected after -".
  CHECK(mentions(run.out, "fault crash        caused no outage · rto 0ms"));
  CHECK(mentions(run.out, "fault flag         detected after "));

  // --log-format json: every line is JSON, and the offsets never go back.
  std::istringstream lines(run.err);
  std::string line;
  double last_t = -1;
  int events = 0;
  while (std::getline(lines, line)) {
    INFO(line);
    Json parsed = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(parsed.is_discarded());
    if (!parsed.contains("t_ms")) continue;
    CHECK(ms(parsed["t_ms"]) >= last_t);
    last_t = ms(parsed["t_ms"]);
    ++events;
  }
  CHECK(events > 5);
}

TEST_CASE("plain log lines are stamped with the time of their event, as the record has it") {
  TempDir dir;
  std::string plan = fast_plan(
      "stamped", "  - {name: noop, type: exec, at: 100ms, params: {inject: [\"true\"]}}\n");
  CliRun run = run_drill_cli(
      {"run", dir.write("plan.yaml", plan), "--records", dir.file("records")}, dir.file("home"));
  INFO(run.err);
  CHECK(run.exit_code == 0);
  Json record = only_record(dir.file("records"));
  // "<at> +<t>s <kind> <name>..." for each event; phase lines have no colon after the name.
  std::map<std::string, std::string> at_by_line_start;
  for (const Json& event : record["timeline"]) {
    at_by_line_start[fmt::format("+{:.3f}s {} {}", ms(event["t_ms"]) / 1000.0,
                                 event["kind"].get<std::string>(),
                                 event["name"].get<std::string>())] = event["at"];
  }
  std::istringstream lines(run.err);
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    size_t space = line.find(' ');
    REQUIRE(space != std::string::npos);
    std::string rest = line.substr(space + 1);
    for (const auto& [start, at] : at_by_line_start) {
      if (rest.rfind(start, 0) != 0) continue;
      INFO(line);
      CHECK(line.substr(0, space) == at);
      ++checked;
      break;
    }
  }
  CHECK(checked == static_cast<int>(record["timeline"].size()));
}
