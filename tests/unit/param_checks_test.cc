// Fault and probe params checked against their type's schema.
#include <catch2/catch.hpp>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("a missing required param names the param, its kind and what it is for") {
  std::string text = yaml(R"(
version: 1
name: params
steady_state:
  probes:
    - http: {timeout: 1s}
faults:
  - name: f
    type: exec
    at: 1s
)");
  CHECK(rendered(text) ==
        "plan.yaml:5:13: error: probe 'http' is missing required param 'url' (string: http:// or "
        "https:// URL)\n"
        "    - http: {timeout: 1s}\n"
        "            ^\n"
        "plan.yaml:7:5: error: fault 'f' is missing required param 'inject' (command: command that "
        "injects the fault; must exit 0)\n"
        "  - name: f\n"
        "    ^\n");
}
