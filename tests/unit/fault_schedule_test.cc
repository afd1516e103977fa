// The fault schedule: at: and after: resolved to absolute offsets, in firing order.
#include "runner/plan/fault_schedule.h"

#include <catch2/catch.hpp>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("after: resolves to absolute offsets and faults are sorted into firing order") {
  Plan plan = loaded(yaml(R"(
version: 1
name: chain
steady_state:
  probes:
    - tcp: {port: 8080}
faults:
  - name: late
    type: exec
    at: 5s
    params: {inject: [true]}
  - name: pause
    type: exec
    after: crash + 1s
    params: {inject: [true]}
  - name: crash
    type: exec
    at: 2s
    params: {inject: [true]}
  - name: chained
    type: exec
    after: pause+500ms
    params: {inject: [true]}
  - name: with-crash
    type: exec
    after: crash
    params: {inject: [true]}
)"));
  std::vector<std::string> order;
  std::vector<int64_t> offsets;
  for (const auto& fault : plan.faults) {
    order.push_back(fault.name);
    offsets.push_back(fault.at.count());
  }
  // Equal offsets keep the order they were written in.
  CHECK(order == std::vector<std::string>{"crash", "with-crash", "pause", "chained", "late"});
  CHECK(offsets == std::vector<int64_t>{2000, 2000, 3000, 3500, 5000});
  CHECK(plan.faults[2].after == "crash");
  CHECK(plan.faults[3].after == "pause");
  CHECK(plan.faults[0].after.empty());
}

TEST_CASE("after: naming an unknown fault is reported with a suggestion") {
  std::string text = yaml(R"(
version: 1
name: after
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: crash
    type: exec
    at: 1s
    params: {inject: [true]}
  - name: pause
    type: exec
    after: crsh + 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:13:12: error: fault 'pause' runs after unknown fault 'crsh', did you mean "
        "'crash'?\n"
        "    after: crsh + 1s\n"
        "           ^\n");
}

TEST_CASE("after: never suggests the fault itself") {
  std::string text = yaml(R"(
version: 1
name: after
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: b
    type: exec
    after: a
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:12: error: fault 'b' runs after unknown fault 'a'\n"
        "    after: a\n"
        "           ^\n");
}

TEST_CASE("an after: cycle is reported once, at a fault in the cycle") {
  std::string text = yaml(R"(
version: 1
name: cycle
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: one
    type: exec
    after: three + 1s
    params: {inject: [true]}
  - name: two
    type: exec
    after: one
    params: {inject: [true]}
  - name: three
    type: exec
    after: two + 2s
    params: {inject: [true]}
  - name: self
    type: exec
    after: self
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:12: error: fault 'one' is part of an 'after' cycle\n"
        "    after: three + 1s\n"
        "           ^\n"
        "plan.yaml:21:12: error: fault 'self' is part of an 'after' cycle\n"
        "    after: self\n"
        "           ^\n");
}

TEST_CASE("a fault needs exactly one of at and after, and after has one form") {
  std::string text = yaml(R"(
version: 1
name: when
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: neither
    type: exec
    params: {inject: [true]}
  - name: both
    type: exec
    at: 1s
    after: neither
    params: {inject: [true]}
  - name: odd
    type: exec
    after: neither - 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:7:5: error: fault 'neither' needs exactly one of 'at' (e.g. at: 2s) or 'after' "
        "(e.g. after: other + 1s)\n"
        "  - name: neither\n"
        "    ^\n"
        "plan.yaml:10:5: error: fault 'both' needs exactly one of 'at' (e.g. at: 2s) or 'after' "
        "(e.g. after: other + 1s)\n"
        "  - name: both\n"
        "    ^\n"
        "plan.yaml:17:12: error: fault 'odd' after must be 'FAULT' or 'FAULT + DURATION', not "
        "'neither - 1s'\n"
        "    after: neither - 1s\n"
        "           ^\n");
}

TEST_CASE("errors in a fault that others run after are not repeated at the others") {
  std::string text = yaml(R"(
version: 1
name: after
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: broken
    type: exec
    at: soon
    params: {inject: [true]}
  - name: next
    type: exec
    after: broken + 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:9: error: fault 'broken' at: invalid duration 'soon': expected a number "
        "(write e.g. 250ms, 2s, 1m30s)\n"
        "    at: soon\n"
        "        ^\n");
}

TEST_CASE("a duplicate fault name does not move the first fault's after: error") {
  std::string text = yaml(R"(
version: 1
name: dup
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: g
    type: exec
    after: nowhere
    params: {inject: [true]}
  - name: g
    type: exec
    after: elsewhere
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:12: error: fault 'g' runs after unknown fault 'nowhere'\n"
        "    after: nowhere\n"
        "           ^\n"
        "plan.yaml:11:11: error: duplicate fault name 'g'\n"
        "  - name: g\n"
        "          ^\n");
}

TEST_CASE("after: is a fault name, then optionally '+' and a delay, spaces optional") {
  auto clause = parse_after("crash + 1s");
  REQUIRE(clause.ok());
  CHECK(clause->fault == "crash");
  CHECK(clause->delay == Millis(1000));
  CHECK(parse_after("web.v2_a-b+250ms")->delay == Millis(250));
  CHECK(parse_after("web.v2_a-b+250ms")->fault == "web.v2_a-b");
  CHECK(parse_after("  crash  ")->fault == "crash");
  CHECK(parse_after("crash")->delay == Millis(0));
  for (const char* wrong :
       {"", " ", "+1s", "crash +", "crash + 1s x", "crash 1s", "-crash", "crash - 1s", "cr ash"}) {
    INFO(wrong);
    auto refused = parse_after(wrong);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message ==
          std::string("after must be 'FAULT' or 'FAULT + DURATION', not '") + wrong + "'");
  }
  CHECK(parse_after("crash + soon").error().message ==
        "after: invalid duration 'soon': expected a number (write e.g. 250ms, 2s, 1m30s)");
}

TEST_CASE("a fault offset past 30 days is refused where it is written") {
  std::string text = yaml(R"(
version: 1
name: far
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: a
    type: exec
    at: 2562048h
    params: {inject: [true]}
  - name: b
    type: exec
    after: a + 2562048h
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:9: error: fault 'a' at: invalid duration '2562048h': longer than the limit "
        "of 720h (write e.g. 250ms, 2s, 1m30s)\n"
        "    at: 2562048h\n"
        "        ^\n"
        "plan.yaml:13:12: error: fault 'b' after: invalid duration '2562048h': longer than the "
        "limit of 720h (write e.g. 250ms, 2s, 1m30s)\n"
        "    after: a + 2562048h\n"
        "           ^\n");
}

TEST_CASE("an after: chain whose total passes 30 days is refused at the after: that passes it") {
  std::string text = yaml(R"(
version: 1
name: chain
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: a
    type: exec
    at: 400h
    params: {inject: [true]}
  - name: b
    type: exec
    after: a + 300h
    params: {inject: [true]}
  - name: c
    type: exec
    after: b + 20h1ms
    params: {inject: [true]}
  - name: d
    type: exec
    after: c + 1s
    params: {inject: [true]}
  - name: e
    type: exec
    after: b + 20h
    params: {inject: [true]}
)");
  // d follows c, which has the error; e ends at exactly 720h, the limit itself.
  CHECK(rendered(text) ==
        "plan.yaml:17:12: error: fault 'c' would fire at 720h1ms ('b' at 700h + 20h1ms), past the "
        "limit of 720h\n"
        "    after: b + 20h1ms\n"
        "           ^\n");
  text.replace(text.find("20h1ms"), 6, "20h");
  text.replace(text.find("c + 1s"), 6, "e");
  Plan plan = loaded(text);
  CHECK(plan.faults.back().at == kMaxDuration);
}
