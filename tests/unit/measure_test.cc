#include "runner/engine/measure.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace faultline;

namespace {

// One round per `interval` ms, ending at interval, 2*interval, ...; 'o' passes, 'x' fails.
std::vector<Round> rounds(const std::string& outcomes, double interval = 100) {
  std::vector<Round> out;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    Round round;
    round.index = static_cast<int>(i);
    round.ended_ms = interval * static_cast<double>(i + 1);
    round.started_ms = round.ended_ms - interval / 2;
    round.ok = outcomes[i] == 'o';
    out.push_back(round);
  }
  return out;
}

// Rounds started at 1000, 1010, ... (overlapping), each ending at its own time.
std::vector<Round> overlapping(const std::vector<double>& ends, const std::string& outcomes) {
  std::vector<Round> out(ends.size());
  for (size_t i = 0; i < ends.size(); ++i) {
    out[i].index = static_cast<int>(i);
    out[i].started_ms = 1000 + 10 * static_cast<double>(i);
    out[i].ended_ms = ends[i];
    out[i].ok = outcomes[i] == 'o';
  }
  return out;
}

// The runner stalled before round `from`: it and every later round happen `ms` later.
void stall_before(std::vector<Round>& drill, size_t from, double ms) {
  for (size_t i = from; i < drill.size(); ++i) {
    drill[i].started_ms += ms;
    drill[i].ended_ms += ms;
  }
}

std::vector<FaultWindow> fault_at(double injected_ms) {
  return {{"fault", injected_ms, std::nullopt}};
}

SteadyState steady(int recovered_after, int interval_ms = 100) {
  SteadyState state;
  state.interval = Millis(interval_ms);
  state.recovered_after = recovered_after;
  return state;
}

const ObjectiveResult& result_named(const std::vector<ObjectiveResult>& results,
                                    const std::string& name) {
  for (const auto& result : results) {
    if (result.name == name) return result;
  }
  FAIL("no result for objective " << name);
  return results.front();
}

}  // namespace

TEST_CASE("with no failing round, the drill recovered at once: rto 0, nothing detected") {
  //                             t0 = 500: the last six rounds are the drill
  Measurements m = measure(rounds("ooooooooooo"), fault_at(500), steady(3));
  CHECK(m.t0_ms == 500.0);
  CHECK(m.recovered);
  CHECK(m.rto_ms == 0.0);
  CHECK(m.downtime_ms == 0.0);
  CHECK(m.outages.empty());
  CHECK(m.gaps.empty());
  CHECK_FALSE(m.first_failure_ms.has_value());
  CHECK_FALSE(m.time_to_detect_ms.has_value());
  CHECK_FALSE(m.recovery_point_ms.has_value());
  CHECK(m.drill_rounds == 7);  // rounds ending at 500 .. 1100: ending exactly at t0 counts
  CHECK(m.passing_rounds == 7);
  CHECK(m.availability_percent == 100.0);
  CHECK(m.resolution_ms == 100.0);
  CHECK(m.recovered_after == 3);
  REQUIRE(m.faults.size() == 1);
  CHECK(m.faults[0].name == "fault");
  CHECK(m.faults[0].injected_ms == 500.0);
  CHECK(m.faults[0].rto_ms == 0.0);
  CHECK_FALSE(m.faults[0].time_to_detect_ms.has_value());
  CHECK_FALSE(m.faults[0].recovered_ms.has_value());
  CHECK(m.faults[0].outages.empty());
  CHECK(m.faults[0].recovered);
}

TEST_CASE("failures before the first fault do not count") {
  Measurements m = measure(rounds("xxxxoooooo"), fault_at(500), steady(3));
  CHECK(m.rto_ms == 0.0);
  CHECK_FALSE(m.first_failure_ms.has_value());
  CHECK(m.outages.empty());
  CHECK(m.drill_rounds == 6);
  CHECK(m.availability_percent == 100.0);
}

TEST_CASE("a single outage gives detect, recovery point, rto, downtime and availability") {
  // Rounds end at 100, 200, ...; t0 = 1000 (the 10th round ends exactly then).
  //                         baseline  | drill
  std::vector<Round> drill = rounds(
      "oooxooooo"
      "ooxxxoooo");
  Measurements m = measure(drill, fault_at(1000), steady(3));
  CHECK(m.first_failure_ms == 1200.0);
  CHECK(m.time_to_detect_ms == 200.0);
  // The first of three consecutive passing rounds after the failures.
  CHECK(m.recovery_point_ms == 1500.0);
  CHECK(m.rto_ms == 500.0);
  CHECK(m.downtime_ms == 300.0);
  CHECK(m.recovered);
  CHECK(m.drill_rounds == 9);
  CHECK(m.passing_rounds == 6);
  CHECK(m.availability_percent == 100.0 * 6 / 9);
  REQUIRE(m.outages.size() == 1);
  CHECK(m.outages[0].began_ms == 1200.0);
  CHECK(m.outages[0].recovered_ms == 1500.0);
  CHECK(m.outages[0].fault == "fault");
  CHECK(m.outages[0].failing_rounds == 3);
  CHECK(m.outages[0].gap_ms == 0.0);
  CHECK(m.faults[0].time_to_detect_ms == 200.0);
  CHECK(m.faults[0].rto_ms == 500.0);
  CHECK(m.faults[0].recovered_ms == 1500.0);
  CHECK(m.faults[0].outages == std::vector<size_t>{0});
}

TEST_CASE("a round's time is when it ended, not when it started") {
  std::vector<Round> drill = rounds("ooooxooo");
  drill[4].started_ms = 350;  // started before t0, ended (failing) after it
  Measurements m = measure(drill, fault_at(450), steady(3));
  CHECK(m.first_failure_ms == 500.0);
  CHECK(m.time_to_detect_ms == 50.0);
  CHECK(m.recovery_point_ms == 600.0);
  CHECK(m.rto_ms == 150.0);
  CHECK(m.drill_rounds == 4);  // rounds ending at 500, 600, 700, 800
}

TEST_CASE("flapping, fewer than K passes before failing again, is not a recovery") {
  // t0 = 0: every round is in the drill. x oo x oo x ooo: only the last three recover,
  // and it is all one outage.
  std::vector<Round> drill = rounds("xooxooxooo");
  Measurements m = measure(drill, fault_at(0), steady(3));
  CHECK(m.first_failure_ms == 100.0);
  CHECK(m.time_to_detect_ms == 100.0);
  CHECK(m.recovery_point_ms == 800.0);
  CHECK(m.rto_ms == 800.0);
  CHECK(m.downtime_ms == 700.0);
  REQUIRE(m.outages.size() == 1);
  CHECK(m.outages[0].failing_rounds == 3);
  CHECK(m.passing_rounds == 7);
  CHECK(m.availability_percent == 70.0);
}

TEST_CASE(
    "a pass that ended before the failure, inside a streak, does not move the recovery "
    "point before it") {
  // Round 0 fails at 2000 ms. Round 1 passes at 2050; round 2 started later but answered
  // early (1100 ms, before the failure was seen) so it is not part of the streak; round 3
  // passes at 2100 and completes K = 2. The streak began at round 1: recovery at 2050.
  // Counting back K rounds from round 3 lands on round 2, a recovery at 1100.
  std::vector<Round> drill = overlapping({2000, 2050, 1100, 2100}, "xooo");
  Measurements m = measure(drill, fault_at(1000), steady(2, 1000));
  CHECK(m.first_failure_ms == 2000.0);
  CHECK(m.recovery_point_ms == 2050.0);
  CHECK(m.downtime_ms == 50.0);
  CHECK(m.rto_ms == 1050.0);
  CHECK(m.passing_rounds == 3);  // the early pass still counts toward availability
}

TEST_CASE("a pass that ended before the first failure was seen is not the recovery point") {
  // Round 0 hangs until 2000 ms and fails; rounds 1-3 pass early (one backend of several
  // was killed). The outage was seen at 2000 ms, so recovery cannot be before it.
  std::vector<Round> drill = overlapping({2000, 1100, 1110, 1120, 2050, 2100}, "xooooo");
  Measurements m = measure(drill, fault_at(1000), steady(2, 1000));
  CHECK(m.first_failure_ms == 2000.0);
  CHECK(m.time_to_detect_ms == 1000.0);
  CHECK(m.recovery_point_ms == 2050.0);
  CHECK(m.downtime_ms == 50.0);
  CHECK(m.rto_ms == 1050.0);
}

TEST_CASE("with K = 1, the first passing round after a failure ends the outage") {
  // t0 = 150: x x o ends the first outage at 500; the x at 600 begins a second, ended by
  // the o at 700.
  Measurements m = measure(rounds("ooxxoxo"), fault_at(150), steady(1));
  CHECK(m.first_failure_ms == 300.0);
  REQUIRE(m.outages.size() == 2);
  CHECK(m.outages[0].began_ms == 300.0);
  CHECK(m.outages[0].recovered_ms == 500.0);
  CHECK(m.outages[1].began_ms == 600.0);
  CHECK(m.outages[1].recovered_ms == 700.0);
  CHECK(m.recovery_point_ms == 700.0);
  CHECK(m.rto_ms == 550.0);
  CHECK(m.downtime_ms == 300.0);
}

TEST_CASE(
    "a crash that recovers in 1 s and a later 6 s freeze give the drill the freeze's "
    "RTO, which misses rto: 3s") {
  // 100 ms rounds ending at 100 .. 15000. crash (a kill, never rolled back) at 2000: rounds
  // fail until 2900, pass from 3000. freeze at 7000, resumed at 13000: rounds fail until
  // 12900, pass from 13000.
  std::vector<Round> drill =
      rounds(std::string(20, 'o') + std::string(9, 'x') + std::string(41, 'o') +
             std::string(59, 'x') + std::string(21, 'o'));
  std::vector<FaultWindow> faults = {{"crash", 2000, std::nullopt}, {"freeze", 7000, 13000.0}};
  Measurements m = measure(drill, faults, steady(3));

  REQUIRE(m.outages.size() == 2);
  CHECK(m.outages[0].began_ms == 2100.0);
  CHECK(m.outages[0].recovered_ms == 3000.0);
  CHECK(m.outages[0].fault == "crash");
  CHECK(m.outages[0].failing_rounds == 9);
  // The crash is still "active" (never rolled back), but the freeze came later.
  CHECK(m.outages[1].began_ms == 7100.0);
  CHECK(m.outages[1].recovered_ms == 13000.0);
  CHECK(m.outages[1].fault == "freeze");
  CHECK(m.outages[1].failing_rounds == 59);

  REQUIRE(m.faults.size() == 2);
  CHECK(m.faults[0].name == "crash");
  CHECK(m.faults[0].time_to_detect_ms == 100.0);
  CHECK(m.faults[0].rto_ms == 1000.0);
  CHECK(m.faults[0].recovered_ms == 3000.0);
  CHECK(m.faults[0].outages == std::vector<size_t>{0});
  CHECK(m.faults[1].name == "freeze");
  CHECK(m.faults[1].rolled_back_ms == 13000.0);
  CHECK(m.faults[1].time_to_detect_ms == 100.0);
  CHECK(m.faults[1].rto_ms == 6000.0);
  CHECK(m.faults[1].outages == std::vector<size_t>{1});

  CHECK(m.t0_ms == 2000.0);
  CHECK(m.first_failure_ms == 2100.0);
  CHECK(m.time_to_detect_ms == 100.0);
  CHECK(m.recovery_point_ms == 13000.0);
  CHECK(m.rto_ms == 6000.0);
  CHECK(m.downtime_ms == 6800.0);
  CHECK(m.recovered);
  CHECK(m.drill_rounds == 131);
  CHECK(m.passing_rounds == 63);
  CHECK(m.availability_percent == 100.0 * 63 / 131);

  auto results = evaluate_objectives({{"rto", 3000}}, m, true);
  REQUIRE(results.size() == 1);
  CHECK(results[0].achieved == 6000.0);
  CHECK(results[0].status == ObjectiveStatus::missed);

  Json json = measurements_to_json(m);
  CHECK(json["outages"].dump() ==
        R"([{"began_ms":2100,"recovered_ms":3000,"duration_ms":900,"fault":"crash",)"
        R"("failing_rounds":9,"gap_ms":0},)"
        R"({"began_ms":7100,"recovered_ms":13000,"duration_ms":5900,"fault":"freeze",)"
        R"("failing_rounds":59,"gap_ms":0}])");
  CHECK(json["faults"].dump() ==
        R"([{"name":"crash","injected_ms":2000,"rolled_back_ms":null,"time_to_detect_ms":100,)"
        R"("rto_ms":1000,"recovered_ms":3000,"recovered":true,"outages":[0]},)"
        R"({"name":"freeze","injected_ms":7000,"rolled_back_ms":13000,"time_to_detect_ms":100,)"
        R"("rto_ms":6000,"recovered_ms":13000,"recovered":true,"outages":[1]}])");
  CHECK(json["rto_ms"].dump() == "6000");
  CHECK(json["downtime_ms"].dump() == "6800");
  CHECK(json["gaps"].dump() == "[]");
}

TEST_CASE(
    "an outage is blamed on the fault still active, not on a later one already rolled "
    "back") {
  // pause: 1000 .. 5000; blip: 2000 .. 2500. Rounds fail 3000 .. 3200, pass from 3300.
  std::vector<Round> drill =
      rounds(std::string(29, 'o') + std::string(3, 'x') + std::string(5, 'o'));
  std::vector<FaultWindow> faults = {{"pause", 1000, 5000.0}, {"blip", 2000, 2500.0}};
  Measurements m = measure(drill, faults, steady(3));
  REQUIRE(m.outages.size() == 1);
  CHECK(m.outages[0].fault == "pause");
  CHECK(m.faults[0].time_to_detect_ms == 2000.0);
  CHECK(m.faults[0].rto_ms == 2300.0);
  CHECK(m.faults[0].outages == std::vector<size_t>{0});
  // blip caused nothing: it is not credited with detecting pause's outage.
  CHECK_FALSE(m.faults[1].time_to_detect_ms.has_value());
  CHECK(m.faults[1].rto_ms == 0.0);
  CHECK(m.faults[1].outages.empty());
  CHECK(m.faults[1].recovered);
  CHECK(m.rto_ms == 2300.0);
  CHECK(m.time_to_detect_ms == 2000.0);  // the drill's is from t0, the first injection
}

TEST_CASE(
    "when no fault is active, the most recently injected one is blamed, and a tie goes to "
    "the later in the plan") {
  std::vector<Round> drill =
      rounds(std::string(29, 'o') + std::string(3, 'x') + std::string(5, 'o'));
  SECTION("most recent of the rolled-back faults") {
    std::vector<FaultWindow> faults = {{"late", 2000, 2500.0}, {"early", 1000, 1500.0}};
    Measurements m = measure(drill, faults, steady(3));
    REQUIRE(m.outages.size() == 1);
    CHECK(m.outages[0].fault == "late");
    CHECK(m.faults[0].rto_ms == 1300.0);
    CHECK(m.faults[1].rto_ms == 0.0);
  }
  SECTION("a fault injected after the outage began is never blamed") {
    std::vector<FaultWindow> faults = {{"before", 1000, std::nullopt},
                                       {"after", 3100, std::nullopt}};
    Measurements m = measure(drill, faults, steady(3));
    REQUIRE(m.outages.size() == 1);
    CHECK(m.outages[0].fault == "before");
  }
  SECTION("injected together, both active: the later in the plan") {
    std::vector<FaultWindow> faults = {{"first", 1000, std::nullopt},
                                       {"second", 1000, std::nullopt}};
    Measurements m = measure(drill, faults, steady(3));
    REQUIRE(m.outages.size() == 1);
    CHECK(m.outages[0].fault == "second");
  }
}

TEST_CASE("a fault with several outages has the RTO of its last and the detection of its first") {
  // t0 = 1000, K = 2: xx ooo ends at 1300, xxx oo at 1900.
  Measurements m = measure(rounds("oooooooooo"
                                  "xxoooxxxoo"),
                           fault_at(1000), steady(2));
  REQUIRE(m.outages.size() == 2);
  CHECK(m.outages[0].began_ms == 1100.0);
  CHECK(m.outages[0].recovered_ms == 1300.0);
  CHECK(m.outages[0].failing_rounds == 2);
  CHECK(m.outages[1].began_ms == 1600.0);
  CHECK(m.outages[1].recovered_ms == 1900.0);
  CHECK(m.outages[1].failing_rounds == 3);
  CHECK(m.faults[0].outages == std::vector<size_t>{0, 1});
  CHECK(m.faults[0].time_to_detect_ms == 100.0);
  CHECK(m.faults[0].recovered_ms == 1900.0);
  CHECK(m.faults[0].rto_ms == 900.0);
  CHECK(m.rto_ms == 900.0);
  CHECK(m.first_failure_ms == 1100.0);
  CHECK(m.recovery_point_ms == 1900.0);
  CHECK(m.downtime_ms == 500.0);
}

TEST_CASE("a system that never recovers has no rto and misses its objectives") {
  Measurements m = measure(rounds("oooxxxoo"), fault_at(300), steady(3));
  CHECK(m.first_failure_ms == 400.0);
  CHECK(m.time_to_detect_ms == 100.0);
  CHECK_FALSE(m.recovered);
  CHECK_FALSE(m.recovery_point_ms.has_value());
  CHECK_FALSE(m.rto_ms.has_value());
  CHECK_FALSE(m.downtime_ms.has_value());
  CHECK(m.drill_rounds == 6);
  CHECK(m.availability_percent == 50.0);
  REQUIRE(m.outages.size() == 1);
  CHECK(m.outages[0].began_ms == 400.0);
  CHECK_FALSE(m.outages[0].recovered_ms.has_value());
  CHECK(m.faults[0].time_to_detect_ms == 100.0);
  CHECK_FALSE(m.faults[0].rto_ms.has_value());
  CHECK_FALSE(m.faults[0].recovered);

  auto results = evaluate_objectives({{"rto", 60000}, {"availability", 10}}, m, true);
  REQUIRE(results.size() == 2);
  const ObjectiveResult& rto = result_named(results, "rto");
  CHECK_FALSE(rto.achieved.has_value());
  CHECK(rto.status == ObjectiveStatus::missed);  // even against a generous target
  CHECK(rto.unit == "ms");
  CHECK(result_named(results, "availability").status == ObjectiveStatus::met);

  Json json = measurements_to_json(m);
  CHECK(json["rto_ms"].is_null());
  CHECK(json["downtime_ms"].is_null());
  CHECK(json["recovered"] == false);
  CHECK(json["availability_percent"].dump() == "50");
  CHECK(json["outages"][0]["recovered_ms"].is_null());
  CHECK(json["outages"][0]["duration_ms"].is_null());
  CHECK(json["faults"][0]["rto_ms"].is_null());
  CHECK(json["faults"][0]["recovered"] == false);
}

TEST_CASE(
    "when a later fault's outage never recovers, the drill rto is not measured though an "
    "earlier fault's is") {
  // a at 1000: fails 1100 .. 1200, back at 1300. b at 1500: fails from 1600 to the end.
  Measurements m = measure(rounds("oooooooooo"
                                  "xxoooxxxxx"),
                           {{"a", 1000, std::nullopt}, {"b", 1500, std::nullopt}}, steady(3));
  REQUIRE(m.outages.size() == 2);
  CHECK(m.outages[1].fault == "b");
  CHECK(m.faults[0].rto_ms == 300.0);
  CHECK(m.faults[0].recovered);
  CHECK_FALSE(m.faults[1].rto_ms.has_value());
  CHECK_FALSE(m.faults[1].recovered);
  CHECK_FALSE(m.rto_ms.has_value());
  CHECK_FALSE(m.recovered);
  CHECK(m.recovery_point_ms == std::nullopt);
  CHECK(result_named(evaluate_objectives({{"rto", 60000}}, m, true), "rto").status ==
        ObjectiveStatus::missed);
}

TEST_CASE("without a fault injected there is nothing to measure") {
  Measurements m = measure(rounds("ooxoo"), {}, steady(3));
  CHECK_FALSE(m.t0_ms.has_value());
  CHECK_FALSE(m.rto_ms.has_value());
  CHECK_FALSE(m.availability_percent.has_value());
  CHECK(m.drill_rounds == 0);
  CHECK(m.outages.empty());
  CHECK(m.faults.empty());
  CHECK_FALSE(m.recovered);
  auto results = evaluate_objectives({{"rto", 5000}, {"availability", 0}}, m, true);
  REQUIRE(results.size() == 2);
  for (const auto& result : results) CHECK(result.status == ObjectiveStatus::missed);
}

TEST_CASE("no rounds after t0 leaves rto and availability unmeasured, so no objective is met") {
  Measurements m = measure(rounds("ooo"), fault_at(10000), steady(3));
  CHECK(m.drill_rounds == 0);
  CHECK_FALSE(m.availability_percent.has_value());
  CHECK_FALSE(m.rto_ms.has_value());
  CHECK_FALSE(m.recovered);
  REQUIRE(m.faults.size() == 1);
  CHECK_FALSE(m.faults[0].rto_ms.has_value());
  CHECK_FALSE(m.faults[0].recovered);
  auto results = evaluate_objectives({{"availability", 0}, {"rto", 60000}}, m, true);
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == ObjectiveStatus::missed);
  CHECK(results[1].status == ObjectiveStatus::missed);
}

TEST_CASE("a runner stalled during an outage leaves a gap, and the outage is uncertain by it") {
  // Rounds every 100 ms; fault at 300; the round ending at 400 fails, then the runner
  // stalls for a second: the next round starts at 1450, not 450.
  std::vector<Round> drill = rounds("oooxxooo");
  stall_before(drill, 4, 1000);
  Measurements m = measure(drill, fault_at(300), steady(3));
  REQUIRE(m.gaps.size() == 1);
  CHECK(m.gaps[0].from_ms == 450.0);
  CHECK(m.gaps[0].to_ms == 1450.0);
  REQUIRE(m.outages.size() == 1);
  CHECK(m.outages[0].began_ms == 400.0);
  CHECK(m.outages[0].recovered_ms == 1600.0);
  CHECK(m.outages[0].gap_ms == 1000.0);
  CHECK(m.rto_ms == 1300.0);

  Json json = measurements_to_json(m);
  CHECK(json["gaps"].dump() == R"([{"from_ms":450,"to_ms":1450,"duration_ms":1000}])");
  CHECK(json["outages"][0]["gap_ms"].dump() == "1000");
}

TEST_CASE("a stall before an outage was seen makes its beginning uncertain by the stall") {
  // Fault at 150; the round ending at 200 passes; the runner stalls 900 ms; the first round
  // after it fails at 1200, but the outage may have begun any time after 200.
  std::vector<Round> drill = rounds("ooxooo");
  stall_before(drill, 2, 900);
  Measurements m = measure(drill, fault_at(150), steady(3));
  REQUIRE(m.gaps.size() == 1);
  CHECK(m.gaps[0].from_ms == 250.0);
  CHECK(m.gaps[0].to_ms == 1150.0);
  REQUIRE(m.outages.size() == 1);
  CHECK(m.outages[0].began_ms == 1200.0);
  CHECK(m.outages[0].recovered_ms == 1300.0);
  CHECK(m.outages[0].gap_ms == 900.0);
}

TEST_CASE(
    "scheduling jitter is not a gap, but a stall past twice the interval (and interval + 100 "
    "ms) is") {
  auto started_at = [](const std::vector<double>& starts) {
    std::vector<Round> out(starts.size());
    for (size_t i = 0; i < starts.size(); ++i) {
      out[i].started_ms = starts[i];
      out[i].ended_ms = starts[i] + 10;
      out[i].ok = true;
    }
    return out;
  };
  // 100 ms: late and early starts, up to exactly two intervals apart.
  CHECK(measure(started_at({0, 150, 190, 390, 480}), fault_at(0), steady(3)).gaps.empty());
  // 20 ms: up to interval + 100 ms apart is still jitter; one ms more is a stall.
  CHECK(measure(started_at({0, 120, 140}), fault_at(0), steady(3, 20)).gaps.empty());
  std::vector<Gap> gaps = measure(started_at({0, 121, 140}), fault_at(0), steady(3, 20)).gaps;
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].from_ms == 20.0);
  CHECK(gaps[0].to_ms == 121.0);
}

TEST_CASE("the rto objective is met up to and including its target") {
  Measurements m = measure(rounds("ooxxxooo"), fault_at(200), steady(3));
  REQUIRE(m.rto_ms == 400.0);
  CHECK(evaluate_objectives({{"rto", 400}}, m, true).at(0).status == ObjectiveStatus::met);
  CHECK(evaluate_objectives({{"rto", 5000}}, m, true).at(0).status == ObjectiveStatus::met);
  CHECK(evaluate_objectives({{"rto", 399}}, m, true).at(0).status == ObjectiveStatus::missed);
  CHECK(evaluate_objectives({{"rto", 400}}, m, true).at(0).achieved == 400.0);
}

TEST_CASE("the availability objective is met at or above its target and missed below it") {
  // Eight drill rounds, six passing: 75%.
  Measurements m = measure(rounds("oxxoooooo"), fault_at(200), steady(3));
  REQUIRE(m.availability_percent == 75.0);
  auto met = evaluate_objectives({{"availability", 70}}, m, true);
  REQUIRE(met.size() == 1);
  CHECK(met[0].name == "availability");
  CHECK(met[0].unit == "percent");
  CHECK(met[0].target == 70.0);
  CHECK(met[0].status == ObjectiveStatus::met);
  CHECK(evaluate_objectives({{"availability", 75}}, m, true).at(0).status == ObjectiveStatus::met);
  CHECK(evaluate_objectives({{"availability", 75.5}}, m, true).at(0).status ==
        ObjectiveStatus::missed);
  CHECK(evaluate_objectives({{"availability", 99.9}}, m, true).at(0).status ==
        ObjectiveStatus::missed);

  Json json =
      objectives_to_json(evaluate_objectives({{"rto", 500}, {"availability", 99.9}}, m, true));
  CHECK(json.dump() == R"({"rto":{"target_ms":500,"achieved_ms":200,"met":true,"status":"met"},)"
                       R"("availability":{"target_percent":99.9,"achieved_percent":75,"met":false,)"
                       R"("status":"missed"}})");
}

TEST_CASE("a drill that aborted before it could be measured has every objective not evaluated") {
  Measurements m = measure(rounds("ooxxxooo"), fault_at(200), steady(3));
  REQUIRE(m.rto_ms == 400.0);  // figures exist, but the drill did not run its course
  auto results = evaluate_objectives({{"rto", 5000}, {"availability", 50}}, m, false);
  REQUIRE(results.size() == 2);
  for (const auto& result : results) {
    CHECK(result.status == ObjectiveStatus::not_evaluated);
    CHECK_FALSE(result.achieved.has_value());
  }
  CHECK(results[0].target == 5000.0);
  CHECK(objectives_to_json(results).dump() ==
        R"({"rto":{"target_ms":5000,"achieved_ms":null,"met":null,"status":"not_evaluated"},)"
        R"("availability":{"target_percent":50,"achieved_percent":null,"met":null,)"
        R"("status":"not_evaluated"}})");
}

TEST_CASE("objectives are evaluated in the plan's order") {
  Measurements m = measure(rounds("ooxooo"), fault_at(100), steady(3));
  auto results = evaluate_objectives({{"availability", 50}, {"rto", 1000}}, m, true);
  REQUIRE(results.size() == 2);
  CHECK(results[0].name == "availability");
  CHECK(results[1].name == "rto");
}

TEST_CASE("percentiles use the nearest rank") {
  std::vector<double> values = {40, 15, 50, 35, 20};  // unsorted on purpose
  CHECK(percentile(values, 0) == 15.0);
  CHECK(percentile(values, 20) == 15.0);
  CHECK(percentile(values, 30) == 20.0);
  CHECK(percentile(values, 40) == 20.0);
  CHECK(percentile(values, 50) == 35.0);
  CHECK(percentile(values, 100) == 50.0);
  CHECK_FALSE(percentile({}, 50).has_value());
  CHECK(percentile({7.5}, 99) == 7.5);

  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  CHECK(percentile(hundred, 50) == 50.0);
  CHECK(percentile(hundred, 95) == 95.0);
  CHECK(percentile(hundred, 99) == 99.0);
  CHECK(percentile(hundred, 99.5) == 100.0);
}

TEST_CASE("json numbers round to microseconds and are integers when that is integral") {
  CHECK(json_number(100.0).dump() == "100");
  CHECK(json_number(100.0).is_number_integer());
  CHECK(json_number(1.0004).dump() == "1");
  CHECK(json_number(-0.0001).dump() == "0");
  CHECK(json_number(99.9).dump() == "99.9");
  CHECK(json_number(200.12345).dump() == "200.123");
  CHECK(json_number(-2.5).dump() == "-2.5");
  CHECK(json_number(std::optional<double>()).is_null());
  CHECK(json_number(std::optional<double>(7.0)).dump() == "7");
  CHECK(json_number(std::nan("")).is_null());
  CHECK(json_number(HUGE_VAL).is_null());
}

TEST_CASE("measurements round to microseconds in JSON and say null for what was not measured") {
  std::vector<Round> drill = rounds("oxooo", 100);
  drill[1].ended_ms = 200.12345;
  Measurements m = measure(drill, fault_at(100.0001), steady(3));
  Json json = measurements_to_json(m);
  CHECK(json["t0_ms"].dump() == "100");
  CHECK(json["first_failure_ms"].dump() == "200.123");
  CHECK(json["time_to_detect_ms"].dump() == "100.123");
  CHECK(json["recovery_point_ms"].dump() == "300");
  CHECK(json["rto_ms"].dump() == "200");  // 199.9999
  CHECK(json["drill_rounds"].dump() == "4");
  CHECK(json["resolution_ms"].dump() == "100");
  CHECK(json["recovered_after"].dump() == "3");
  CHECK(json["faults"][0]["injected_ms"].dump() == "100");

  Json nothing = measurements_to_json(measure({}, {}, steady(3)));
  CHECK(nothing.dump() ==
        R"({"t0_ms":null,"first_failure_ms":null,"time_to_detect_ms":null,)"
        R"("recovery_point_ms":null,"rto_ms":null,"downtime_ms":null,)"
        R"("availability_percent":null,"rpo_ms":null,"drill_rounds":0,"passing_rounds":0,)"
        R"("recovered":false,)"
        R"("resolution_ms":100,"recovered_after":3,"outages":[],"faults":[],"gaps":[]})");
}
