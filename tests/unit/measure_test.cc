#include "runner/engine/measure.h"

#include <catch2/catch.hpp>

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
  Measurements m = measure(rounds("ooooooooooo"), 500.0, steady(3));
  CHECK(m.t0_ms == 500.0);
  CHECK(m.recovered);
  CHECK(m.rto_ms == 0.0);
  CHECK(m.outage_ms == 0.0);
  CHECK_FALSE(m.first_failure_ms.has_value());
  CHECK_FALSE(m.time_to_detect_ms.has_value());
  CHECK_FALSE(m.recovery_point_ms.has_value());
  CHECK(m.drill_rounds == 7);  // rounds ending at 500 .. 1100: ending exactly at t0 counts
  CHECK(m.passing_rounds == 7);
  CHECK(m.availability_percent == 100.0);
  CHECK(m.resolution_ms == 100.0);
  CHECK(m.recovered_after == 3);
}

TEST_CASE("failures before the first fault do not count") {
  Measurements m = measure(rounds("xxxxoooooo"), 500.0, steady(3));
  CHECK(m.rto_ms == 0.0);
  CHECK_FALSE(m.first_failure_ms.has_value());
  CHECK(m.drill_rounds == 6);
  CHECK(m.availability_percent == 100.0);
}

TEST_CASE("a single outage gives detect, recovery point, rto, outage and availability") {
  // Rounds end at 100, 200, ...; t0 = 1000 (the 10th round ends exactly then).
  //                         baseline  | drill
  std::vector<Round> drill = rounds(
      "oooxooooo"
      "ooxxxoooo");
  Measurements m = measure(drill, 1000.0, steady(3));
  CHECK(m.first_failure_ms == 1200.0);
  CHECK(m.time_to_detect_ms == 200.0);
  // The first of three consecutive passing rounds after the first failure.
  CHECK(m.recovery_point_ms == 1500.0);
  CHECK(m.rto_ms == 500.0);
  CHECK(m.outage_ms == 300.0);
  CHECK(m.recovered);
  CHECK(m.drill_rounds == 9);
  CHECK(m.passing_rounds == 6);
  CHECK(m.availability_percent == Approx(100.0 * 6 / 9));
}

TEST_CASE("a round's time is when it ended, not when it started") {
  std::vector<Round> drill = rounds("ooooxooo");
  drill[4].started_ms = 350;  // started before t0, ended (failing) after it
  Measurements m = measure(drill, 450.0, steady(3));
  CHECK(m.first_failure_ms == 500.0);
  CHECK(m.time_to_detect_ms == 50.0);
  CHECK(m.recovery_point_ms == 600.0);
  CHECK(m.rto_ms == 150.0);
  CHECK(m.drill_rounds == 4);  // rounds ending at 500, 600, 700, 800
}

TEST_CASE("flapping, fewer than K passes before failing again, is not a recovery") {
  // t0 = 0: every round is in the drill. x oo x oo x ooo: only the last three recover.
  std::vector<Round> drill = rounds("xooxooxooo");
  Measurements m = measure(drill, 0.0, steady(3));
  CHECK(m.first_failure_ms == 100.0);
  CHECK(m.time_to_detect_ms == 100.0);
  CHECK(m.recovery_point_ms == 800.0);
  CHECK(m.rto_ms == 800.0);
  CHECK(m.outage_ms == 700.0);
  CHECK(m.passing_rounds == 7);
  CHECK(m.availability_percent == Approx(70.0));
}

TEST_CASE("with K = 1, the first passing round after a failure is the recovery point") {
  Measurements m = measure(rounds("ooxxoxo"), 150.0, steady(1));
  CHECK(m.first_failure_ms == 300.0);
  CHECK(m.recovery_point_ms == 500.0);
  CHECK(m.rto_ms == 350.0);
}

TEST_CASE("a system that never recovers has no rto and misses its objectives") {
  Measurements m = measure(rounds("oooxxxoo"), 300.0, steady(3));
  CHECK(m.first_failure_ms == 400.0);
  CHECK(m.time_to_detect_ms == 100.0);
  CHECK_FALSE(m.recovered);
  CHECK_FALSE(m.recovery_point_ms.has_value());
  CHECK_FALSE(m.rto_ms.has_value());
  CHECK_FALSE(m.outage_ms.has_value());
  CHECK(m.drill_rounds == 6);
  CHECK(m.availability_percent == Approx(100.0 * 3 / 6));

  auto results = evaluate_objectives({{"rto", 60000}, {"availability", 10}}, m);
  REQUIRE(results.size() == 2);
  const ObjectiveResult& rto = result_named(results, "rto");
  CHECK_FALSE(rto.achieved.has_value());
  CHECK_FALSE(rto.met);  // even against a generous target
  CHECK(rto.unit == "ms");
  CHECK(result_named(results, "availability").met);

  Json json = measurements_to_json(m);
  CHECK(json["rto_ms"].is_null());
  CHECK(json["recovered"] == false);
  CHECK(json["availability_percent"] == 50.0);
}

TEST_CASE("without a fault injected there is nothing to measure") {
  Measurements m = measure(rounds("ooxoo"), std::nullopt, steady(3));
  CHECK_FALSE(m.t0_ms.has_value());
  CHECK_FALSE(m.rto_ms.has_value());
  CHECK_FALSE(m.availability_percent.has_value());
  CHECK(m.drill_rounds == 0);
  CHECK_FALSE(m.recovered);
  auto results = evaluate_objectives({{"rto", 5000}, {"availability", 0}}, m);
  for (const auto& result : results) CHECK_FALSE(result.met);
}

TEST_CASE("no rounds after t0 leaves rto and availability unmeasured, so no objective is met") {
  Measurements m = measure(rounds("ooo"), 10000.0, steady(3));
  CHECK(m.drill_rounds == 0);
  CHECK_FALSE(m.availability_percent.has_value());
  CHECK_FALSE(m.rto_ms.has_value());
  CHECK_FALSE(m.recovered);
  auto results = evaluate_objectives({{"availability", 0}, {"rto", 60000}}, m);
  REQUIRE(results.size() == 2);
  CHECK_FALSE(results[0].met);
  CHECK_FALSE(results[1].met);
}

TEST_CASE("the rto objective is met up to and including its target") {
  Measurements m = measure(rounds("ooxxxooo"), 200.0, steady(3));
  REQUIRE(m.rto_ms == 400.0);
  CHECK(evaluate_objectives({{"rto", 400}}, m).at(0).met);
  CHECK(evaluate_objectives({{"rto", 5000}}, m).at(0).met);
  CHECK_FALSE(evaluate_objectives({{"rto", 399}}, m).at(0).met);
  CHECK(evaluate_objectives({{"rto", 400}}, m).at(0).achieved == 400.0);
}

TEST_CASE("the availability objective is met at or above its target and missed below it") {
  // Eight drill rounds, six passing: 75%.
  Measurements m = measure(rounds("oxxoooooo"), 200.0, steady(3));
  REQUIRE(m.availability_percent == Approx(75.0));
  auto met = evaluate_objectives({{"availability", 70}}, m);
  REQUIRE(met.size() == 1);
  CHECK(met[0].name == "availability");
  CHECK(met[0].unit == "percent");
  CHECK(met[0].target == 70.0);
  CHECK(met[0].met);
  CHECK(evaluate_objectives({{"availability", 75}}, m).at(0).met);
  CHECK_FALSE(evaluate_objectives({{"availability", 75.5}}, m).at(0).met);
  CHECK_FALSE(evaluate_objectives({{"availability", 99.9}}, m).at(0).met);

  Json json = objectives_to_json(evaluate_objectives({{"rto", 500}, {"availability", 99.9}}, m));
  CHECK(json["availability"]["target_percent"] == 99.9);
  CHECK(json["availability"]["achieved_percent"] == 75.0);
  CHECK(json["availability"]["met"] == false);
  CHECK(json["rto"]["target_ms"] == 500.0);
}

TEST_CASE("objectives are evaluated in the plan's order") {
  Measurements m = measure(rounds("ooxooo"), 100.0, steady(3));
  auto results = evaluate_objectives({{"availability", 50}, {"rto", 1000}}, m);
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

TEST_CASE("measurements round to microseconds in JSON and say null for what was not measured") {
  std::vector<Round> drill = rounds("oxooo", 100);
  drill[1].ended_ms = 200.12345;
  Measurements m = measure(drill, 100.0001, steady(3));
  Json json = measurements_to_json(m);
  CHECK(json["t0_ms"] == 100.0);
  CHECK(json["first_failure_ms"] == 200.123);
  CHECK(json["recovery_point_ms"] == 300.0);
  CHECK(json["drill_rounds"] == 4);
  CHECK(json["resolution_ms"] == 100.0);
  CHECK(json["recovered_after"] == 3);

  Json nothing = measurements_to_json(measure({}, std::nullopt, steady(3)));
  CHECK(nothing["t0_ms"].is_null());
  CHECK(nothing["rto_ms"].is_null());
  CHECK(nothing["availability_percent"].is_null());
}

TEST_CASE("a pass that ended before the first failure was seen is not the recovery point") {
  // Round 0 hangs until 2000 ms and fails; rounds 1-3 pass early (one backend of several
  // was killed). The outage was seen at 2000 ms, so recovery cannot be before it.
  std::vector<Round> rounds(6);
  double ends[] = {2000, 1100, 1110, 1120, 2050, 2100};
  for (int i = 0; i < 6; ++i) {
    rounds[i].index = i;
    rounds[i].started_ms = 1000 + i * 10;
    rounds[i].ended_ms = ends[i];
    rounds[i].ok = i != 0;
  }
  SteadyState steady;
  steady.recovered_after = 2;
  Measurements m = measure(rounds, 1000.0, steady);
  REQUIRE(m.first_failure_ms == 2000.0);
  REQUIRE(m.recovery_point_ms.has_value());
  CHECK(*m.recovery_point_ms == 2050.0);
  CHECK(*m.outage_ms >= 0);
  CHECK(*m.rto_ms >= *m.time_to_detect_ms);
}

TEST_CASE(
    "a pass that ended before the failure, inside a streak, does not move the recovery "
    "point before it") {
  // Round 0 fails at 2000 ms. Round 1 passes at 2050; round 2 started later but answered
  // early (1100 ms, before the failure was seen) so it is not part of the streak; round 3
  // passes at 2100 and completes K = 2. The streak began at round 1: recovery at 2050.
  // Counting back K rounds from round 3 lands on round 2, a recovery at 1100.
  std::vector<Round> rounds(4);
  double ends[] = {2000, 2050, 1100, 2100};
  for (int i = 0; i < 4; ++i) {
    rounds[i].index = i;
    rounds[i].started_ms = 1000 + i * 10;
    rounds[i].ended_ms = ends[i];
    rounds[i].ok = i != 0;
  }
  SteadyState steady;
  steady.recovered_after = 2;
  Measurements m = measure(rounds, 1000.0, steady);
  CHECK(m.first_failure_ms == 2000.0);
  CHECK(m.recovery_point_ms == 2050.0);
  CHECK(m.outage_ms == 50.0);
  CHECK(m.rto_ms == 1050.0);
}
