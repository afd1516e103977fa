// LoadMode::to_check: a plan checked without the values it cannot have here (secret
// vars, unset ${env:NAME}), as CI lints it. Those are notes, what needs them is left
// unchecked with one note each, and everything else is checked as for a run.
#include <catch2/catch.hpp>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

PlanLoad checked(const std::string& text, const std::map<std::string, std::string>& vars = {}) {
  return load(text, vars, LoadMode::to_check);
}

}  // namespace

TEST_CASE("checked without a var's value, the plan loads with a note where a run has errors") {
  std::string text = yaml(R"(
version: 1
name: needs-token
vars:
  TOKEN: {secret: true}
steady_state:
  probes:
    - http: {url: "http://127.0.0.1/", headers: {X-Token: "Bearer ${var:TOKEN}"}}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  PlanLoad result = checked(text);
  CHECK(rendered(result, text) ==
        "plan.yaml:4:3: note: var 'TOKEN' has no value; checked without it (pass --var "
        "TOKEN=... to check it too)\n"
        "  TOKEN: {secret: true}\n"
        "  ^\n");
  REQUIRE(result.plan.has_value());
  CHECK(result.count(Severity::error) == 0);
  CHECK(result.count(Severity::note) == 1);
  // Text keeps the reference as written; nothing stands in for the secret.
  CHECK(result.plan->steady_state.probes.at(0).params["headers"]["X-Token"] ==
        "Bearer ${var:TOKEN}");
  // Given a value, there is nothing to note; loaded to run, the missing value is an error.
  CHECK(checked(text, {{"TOKEN", "tok-123456"}}).diagnostics.empty());
  forget_secrets_for_testing();
  PlanLoad to_run = load(text);
  CHECK_FALSE(to_run.plan.has_value());
  CHECK(to_run.count(Severity::error) == 2);
  CHECK(to_run.count(Severity::note) == 0);
}

TEST_CASE("a value whose check needs a missing var is not checked, with one note each") {
  std::string text = yaml(R"(
version: 1
name: typed
vars: {IVL: {}, PORT: {}, SIG: {}, SVC: {}, POLICY: {}, MODE: {}}
services:
  web:
    command: [sleep, "60"]
    restart: {policy: "${var:POLICY}"}
    stop_signal: "${var:SIG}"
steady_state:
  interval: ${var:IVL}
  recovered_after: ${var:PORT}
  probes:
    - tcp: {port: "${var:PORT}"}
faults:
  - {name: kill, type: process.kill, at: "${var:IVL}", target: {service: "${var:SVC}"}, params: {signal: "${var:SIG}"}}
  - {name: next, type: exec, after: "kill + ${var:IVL}", params: {inject: [true]}}
  - {name: some, type: "${var:MODE}", at: 1s}
objectives: {availability: "${var:PORT}"}
)");
  PlanLoad result = checked(text);
  std::vector<std::string> notes;
  for (const auto& diagnostic : result.diagnostics) {
    CHECK(diagnostic.severity == Severity::note);
    if (diagnostic.where.line > 3)
      notes.push_back(std::to_string(diagnostic.where.line) + ":" +
                      std::to_string(diagnostic.where.column) + " " + diagnostic.message);
  }
  CHECK(notes == std::vector<std::string>{
                     "7:23 service 'web' restart policy is not checked: it needs var 'POLICY'",
                     "8:18 service 'web' stop_signal is not checked: it needs var 'SIG'",
                     "10:13 interval is not checked: it needs var 'IVL'",
                     "11:20 recovered_after is not checked: it needs var 'PORT'",
                     "13:19 probe 'tcp' param 'port' is not checked: it needs var 'PORT'",
                     "15:42 fault 'kill' at is not checked: it needs var 'IVL'",
                     "15:74 fault 'kill' target service is not checked: it needs var 'SVC'",
                     "15:106 fault 'kill' param 'signal' is not checked: it needs var 'SIG'",
                     "16:37 fault 'next' after is not checked: it needs var 'IVL'",
                     "17:24 fault 'some' type is not checked: it needs var 'MODE'",
                     "18:28 availability is not checked: it needs var 'PORT'",
                 });
  CHECK(result.plan.has_value());
}

TEST_CASE("an unset ${env:NAME} is a note at its first use, and the rest is still checked") {
  ::unsetenv("FAULTLINE_TEST_UNSET_A");
  ::unsetenv("FAULTLINE_TEST_UNSET_B");
  std::string text = yaml(R"(
version: 1
name: env
steady_state:
  probes:
    - http: {url: "http://127.0.0.1/", headers: {A: "${env:FAULTLINE_TEST_UNSET_A}"}}
    - exec: {command: [check, "${env:FAULTLINE_TEST_UNSET_A}"], timeout: "${env:FAULTLINE_TEST_UNSET_B}"}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [echo, "${env:FAULTLINE_TEST_UNSET_B}"], timeout: soon}
)");
  PlanLoad result = checked(text);
  CHECK_FALSE(result.plan.has_value());
  CHECK(
      rendered(result, text) ==
      "plan.yaml:5:53: note: environment variable 'FAULTLINE_TEST_UNSET_A' is not set; checked "
      "without it (set it to check it too)\n"
      "    - http: {url: \"http://127.0.0.1/\", headers: {A: \"${env:FAULTLINE_TEST_UNSET_A}\"}}\n"
      "                                                    ^\n"
      "plan.yaml:6:74: note: probe 'exec' param 'timeout' is not checked: it needs environment "
      "variable 'FAULTLINE_TEST_UNSET_B', which is not set\n"
      "    - exec: {command: [check, \"${env:FAULTLINE_TEST_UNSET_A}\"], timeout: "
      "\"${env:FAULTLINE_TEST_UNSET_B}\"}\n"
      "                                                                         ^\n"
      "plan.yaml:11:72: error: fault 'f' param 'timeout': invalid duration 'soon': expected a "
      "number "
      "(write e.g. 250ms, 2s, 1m30s)\n"
      "    params: {inject: [echo, \"${env:FAULTLINE_TEST_UNSET_B}\"], timeout: soon}\n"
      "                                                                       ^\n");
}

TEST_CASE("a type's own check of a param that needs a missing value is skipped with a note") {
  std::string text = yaml(R"(
version: 1
name: configure
vars: {URL: {}, STATUS: {}}
steady_state:
  probes:
    - {name: api, http: {url: "${var:URL}", expect_status: 999}}
    - {name: status, http: {url: "http://127.0.0.1/", expect_status: "${var:STATUS}"}}
faults:
  - {name: f, type: exec, at: 1s, params: {inject: ["${var:URL}"]}}
)");
  PlanLoad result = checked(text);
  std::vector<std::string> messages;
  for (const auto& diagnostic : result.diagnostics) messages.push_back(diagnostic.message);
  CHECK(messages ==
        std::vector<std::string>{
            "var 'URL' has no value; checked without it (pass --var URL=... to check it too)",
            "var 'STATUS' has no value; checked without it (pass --var STATUS=... to check it "
            "too)",
            "probe 'api' param 'url' is not checked: it needs var 'URL'",
            "probe 'status' param 'expect_status' is not checked: it needs var 'STATUS'",
        });
  REQUIRE(result.plan.has_value());
  // Left unconfigured: such a plan is for checking, not for running.
  CHECK(result.plan->steady_state.probes.size() == 2);
  CHECK(result.plan->steady_state.probes[0].probe == nullptr);
  CHECK(result.plan->faults.at(0).fault != nullptr);
  // With a value, the type checks it: here expect_status was wrong all along.
  PlanLoad given = checked(text, {{"URL", "http://127.0.0.1/"}, {"STATUS", "200"}});
  CHECK(rendered(given, text) ==
        "plan.yaml:6:60: error: probe 'api': expect_status must be 100-599\n"
        "    - {name: api, http: {url: \"${var:URL}\", expect_status: 999}}\n"
        "                                                           ^\n");
}

TEST_CASE("past a hundred diagnostics, the rest are counted as errors and notes") {
  std::string text = "version: 1\nname: many\nvars:\n";
  for (int i = 0; i < 120; ++i) text += "  V" + std::to_string(i) + ": {}\n";
  for (int i = 0; i < 30; ++i) text += "unknown_" + std::to_string(i) + ": 1\n";
  PlanLoad result = checked(text);
  REQUIRE(result.diagnostics.size() == 101);
  CHECK(result.diagnostics.back().message == "and 30 more errors and 22 more notes, not shown");
  CHECK(result.diagnostics.back().severity == Severity::error);
}
