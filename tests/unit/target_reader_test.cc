// A fault's target: the processes it acts on.
#include <catch2/catch.hpp>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("a target naming a service the plan does not define is reported with a suggestion") {
  std::string text = yaml(R"(
version: 1
name: targets
services:
  web: {command: [python3, -m, http.server]}
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: crash
    type: process.kill
    at: 1s
    target: {service: webb}
)");
  CHECK(rendered(text) ==
        "plan.yaml:12:23: error: fault 'crash' targets service 'webb', which the plan does not "
        "define, did you mean 'web'?\n"
        "    target: {service: webb}\n"
        "                      ^\n");
}

TEST_CASE("a target must choose exactly one way to find processes") {
  std::string text = yaml(R"(
version: 1
name: targets
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: both
    type: process.kill
    at: 1s
    target: {process: web, pidfile: /run/web.pid}
  - name: all
    type: process.pause
    at: 1s
    target: {pidfile: /run/web.pid, all: true}
)");
  CHECK(rendered(text) ==
        "plan.yaml:10:13: error: fault 'both' target needs exactly one of service, pidfile or "
        "process\n"
        "    target: {process: web, pidfile: /run/web.pid}\n"
        "            ^\n"
        "plan.yaml:14:13: error: fault 'all' target: 'all' goes with 'process'\n"
        "    target: {pidfile: /run/web.pid, all: true}\n"
        "            ^\n");
}

namespace {

// A plan with one process.pause fault whose target is `target` (line 8, column 13).
std::string plan_with_target(const std::string& target) {
  return yaml(R"(
version: 1
name: targets
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: pause
    type: process.pause
    at: 1s
    target: )") +
         target + "\n";
}

}  // namespace

TEST_CASE("all: true needs max:, and max: needs all: true") {
  CHECK(rendered(plan_with_target("{process: web, all: true}")) ==
        "plan.yaml:10:13: error: fault 'pause' target: 'all: true' needs 'max: N', the most "
        "processes it may act on (preflight refuses more)\n"
        "    target: {process: web, all: true}\n"
        "            ^\n");
  CHECK(rendered(plan_with_target("{process: web, max: 3}")) ==
        "plan.yaml:10:13: error: fault 'pause' target: 'max' goes with 'all: true'\n"
        "    target: {process: web, max: 3}\n"
        "            ^\n");
  CHECK(rendered(plan_with_target("{process: web, all: true, max: 0}")) ==
        "plan.yaml:10:44: error: fault 'pause' target max must be between 1 and 100000\n"
        "    target: {process: web, all: true, max: 0}\n"
        "                                           ^\n");
  Plan plan = loaded(plan_with_target("{process: web, all: true, max: 100000}"));
  CHECK(plan.faults.at(0).target->max == 100000);
  CHECK(plan.faults.at(0).target->describe() == "process web (all, at most 100000)");
}

TEST_CASE("user: names whose processes a target may act on, and must not be empty") {
  Plan by_name = loaded(plan_with_target("{process: postgres, user: postgres}"));
  CHECK(by_name.faults.at(0).target->user == "postgres");
  CHECK(by_name.faults.at(0).target->describe() == "process postgres of user postgres");
  Plan by_pidfile = loaded(plan_with_target("{pidfile: /run/pg.pid, user: postgres}"));
  CHECK(by_pidfile.faults.at(0).target->describe() == "pidfile /run/pg.pid of user postgres");
  CHECK(rendered(plan_with_target("{process: postgres, user: \"\"}")) ==
        "plan.yaml:10:39: error: fault 'pause' target user is empty\n"
        "    target: {process: postgres, user: \"\"}\n"
        "                                      ^\n");
  CHECK(rendered(plan_with_target("{process: postgres, user: [a, b]}")) ==
        "plan.yaml:10:39: error: fault 'pause' target user must be a single value, not a list\n"
        "    target: {process: postgres, user: [a, b]}\n"
        "                                      ^\n");
}

TEST_CASE("checked without a value, all: does not make max: an error") {
  std::string text = plan_with_target("{process: web, all: \"${var:ALL}\", max: 2}");
  text.insert(text.find("steady_state"), "vars: {ALL: {}}\n");
  PlanLoad checked = load(text, {}, LoadMode::to_check);
  CHECK(checked.count(Severity::error) == 0);
  CHECK(checked.diagnostics.back().message ==
        "fault 'pause' target all is not checked: it needs var 'ALL'");
  CHECK(loaded(text, {{"ALL", "true"}}).faults.at(0).target->all);
}

TEST_CASE("user: goes with a pidfile or a process name, never with a service") {
  std::string text = yaml(R"(
version: 1
name: targets
services:
  web: {command: [python3, -m, http.server]}
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: crash
    type: process.kill
    at: 1s
    target: {service: web, user: nobody}
)");
  CHECK(rendered(text) ==
        "plan.yaml:12:13: error: fault 'crash' target: 'user' goes with 'pidfile' or 'process'\n"
        "    target: {service: web, user: nobody}\n"
        "            ^\n");
}
