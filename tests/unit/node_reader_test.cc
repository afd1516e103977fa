// Typed, strict reads of plan values: keys, kinds, durations, numbers, percentages.
#include <catch2/catch.hpp>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("an unknown key is reported with a suggestion, the line and a caret") {
  std::string text = yaml(R"(
version: 1
name: typo
steady_state:
  intervl: 1s
  probes:
    - tcp: {port: 80}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:4:3: error: unknown key 'intervl' in steady_state, did you mean 'interval'?\n"
        "  intervl: 1s\n"
        "  ^\n");
}

TEST_CASE("a list where a single value belongs is a type error") {
  std::string text = yaml(R"(
version: 1
name: [a, b]
steady_state:
  interval: [1s]
  probes:
    - tcp: {port: [80]}
faults:
  - name: f
    type: exec
    at: {seconds: 1}
    params: {inject: true}
)");
  CHECK(rendered(text) ==
        "plan.yaml:2:7: error: plan name must be a single value, not a list\n"
        "name: [a, b]\n"
        "      ^\n"
        "plan.yaml:4:13: error: interval must be a single value, not a list\n"
        "  interval: [1s]\n"
        "            ^\n"
        "plan.yaml:6:19: error: probe 'tcp' param 'port' must be a single value, not a list\n"
        "    - tcp: {port: [80]}\n"
        "                  ^\n"
        "plan.yaml:10:9: error: fault 'f' at must be a single value, not a mapping\n"
        "    at: {seconds: 1}\n"
        "        ^\n");
}

TEST_CASE("bad durations and numbers say what was wrong with them") {
  std::string text = yaml(R"(
version: 1
name: durations
steady_state:
  interval: 10parsecs
  recovered_after: three
  probes:
    - tcp: {port: 80, timeout: 0s}
faults:
  - name: f
    type: exec
    at: 1s
    duration: 0s
    params: {inject: [true]}
objectives: {availability: 101%}
)");
  CHECK(rendered(text) ==
        "plan.yaml:4:13: error: interval: invalid duration '10parsecs': unknown unit (write e.g. "
        "250ms, 2s, 1m30s)\n"
        "  interval: 10parsecs\n"
        "            ^\n"
        "plan.yaml:5:20: error: recovered_after must be a whole number, not 'three'\n"
        "  recovered_after: three\n"
        "                   ^\n"
        "plan.yaml:7:32: error: probe 'tcp': timeout must be positive\n"
        "    - tcp: {port: 80, timeout: 0s}\n"
        "                               ^\n"
        "plan.yaml:12:15: error: fault 'f' duration must be longer than 0s\n"
        "    duration: 0s\n"
        "              ^\n"
        "plan.yaml:14:28: error: availability must be a percentage from 0% to 100%, not '101%'\n"
        "objectives: {availability: 101%}\n"
        "                           ^\n");
}

TEST_CASE("duplicate keys are reported at the second one") {
  std::string text = yaml(R"(
version: 1
name: dup
steady_state:
  interval: 1s
  probes:
    - tcp: {port: 80, port: 81}
  interval: 2s
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:6:23: error: duplicate key 'port' in probe 'tcp' params\n"
        "    - tcp: {port: 80, port: 81}\n"
        "                      ^\n"
        "plan.yaml:7:3: error: duplicate key 'interval' in steady_state\n"
        "  interval: 2s\n"
        "  ^\n");
}

TEST_CASE("no duration in a plan may pass 30 days, wherever it is written") {
  std::string text = yaml(R"(
version: 1
name: long
objectives: {rto: 721h}
services:
  web:
    command: [sleep, "1"]
    ready: {tcp: {port: 80}, timeout: 721h}
    restart: {policy: always, delay: 721h}
    stop_timeout: 721h
steady_state:
  interval: 721h
  probes:
    - tcp: {port: 80, timeout: 721h}
faults:
  - name: f
    type: exec
    at: 1s
    duration: 721h
    params: {inject: [true], timeout: 721h}
recovery: {timeout: 721h, observe: 721h}
)");
  PlanLoad result = load(text);
  std::vector<std::string> messages;
  for (const auto& diagnostic : result.diagnostics)
    messages.push_back(std::to_string(diagnostic.where.line) + ": " + diagnostic.message);
  const std::string why =
      "invalid duration '721h': longer than the limit of 720h (write e.g. "
      "250ms, 2s, 1m30s)";
  CHECK(messages == std::vector<std::string>{
                        "3: rto: " + why,
                        "7: service 'web' ready timeout: " + why,
                        "8: service 'web' restart delay: " + why,
                        "9: service 'web' stop_timeout: " + why,
                        "11: interval: " + why,
                        "13: probe 'tcp' param 'timeout': " + why,
                        "18: fault 'f' duration: " + why,
                        "19: fault 'f' param 'timeout': " + why,
                        "20: recovery timeout: " + why,
                        "20: recovery observe: " + why,
                    });
}
