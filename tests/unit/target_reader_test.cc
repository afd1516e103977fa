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
