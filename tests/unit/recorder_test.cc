#include "runner/engine/recorder.h"

#include <catch2/catch.hpp>

#include "runner/runner.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

class CountingObserver final : public DrillObserver {
 public:
  void on_event(const TimelineEvent&) override {}
  void on_round(const Round& round) override { seen.push_back(round.index); }
  void on_finish(const Json&) override {}
  std::vector<int> seen;
};

Round finished(int index, bool ok) {
  Round round;
  round.index = index;
  round.ok = ok;
  round.started_ms = index * 10.0;
  round.ended_ms = index * 10.0 + (ok ? 1 : 300);
  return round;
}

}  // namespace

TEST_CASE(
    "rounds that finish out of order are kept in start order, without gaps, and shown as they "
    "finish") {
  CountingObserver observer;
  Recorder recorder(MonoClock::now(), observer);
  for (int i = 0; i < 4; ++i) CHECK(recorder.begin_round() == i);
  recorder.add_round(finished(1, true));
  recorder.add_round(finished(3, true));
  CHECK(recorder.rounds().empty());  // round 0 is still out: nothing after it is final
  recorder.add_round(finished(0, false));
  auto rounds = recorder.rounds();
  REQUIRE(rounds.size() == 2);
  CHECK(rounds[0].index == 0);
  CHECK(rounds[1].index == 1);
  recorder.add_round(finished(2, true));
  CHECK(recorder.rounds().size() == 4);
  // The live view sees each round when it finishes, in time order.
  CHECK(observer.seen == std::vector<int>{1, 3, 0, 2});
}

TEST_CASE("rounds overlap freely for socket probes and barely for process probes") {
  auto plan_with = [&](const std::string& probe, const std::string& extra) {
    std::string text =
        "version: 1\nname: p\nsteady_state:\n" + extra + "  probes:\n    - {name: a, " + probe +
        "}\nfaults:\n  - {name: f, type: exec, at: 0s, params: {inject: [\"true\"]}}\n";
    PlanLoad load = load_plan_text("p.yaml", text, builtin_registry());
    REQUIRE(load.plan);
    return load.plan->steady_state.rounds_in_flight();
  };
  CHECK(plan_with("tcp: {port: 1}", "") == 64);
  CHECK(plan_with("exec: {command: [\"true\"]}", "") == 2);
  CHECK(plan_with("exec: {command: [\"true\"]}", "  max_in_flight: 5\n") == 5);
}
