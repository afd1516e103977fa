#pragma once
// RTO, time to detect, outage, availability and latency percentiles, computed from
// the probe rounds alone (see README "Measurement"). Pure functions: the unit tests
// feed them synthetic rounds.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/engine/observer.h"
#include "runner/plan/plan.h"

namespace faultline {

struct Measurements {
  std::optional<double> t0_ms;              // first fault injected
  std::optional<double> first_failure_ms;   // earliest end of a failing round at or after t0
  std::optional<double> time_to_detect_ms;  // first_failure - t0
  std::optional<double> recovery_point_ms;  // first of K consecutive passes (start order) after it
  std::optional<double> rto_ms;             // recovery_point - t0; 0 when nothing failed
  std::optional<double> outage_ms;          // recovery_point - first_failure
  int drill_rounds = 0;                     // rounds ending at or after t0
  int passing_rounds = 0;
  std::optional<double> availability_percent;
  bool recovered = false;    // no failure, or a recovery point exists
  double resolution_ms = 0;  // the probe interval
  int recovered_after = 0;   // K
};

Measurements measure(const std::vector<Round>& rounds, std::optional<double> t0_ms,
                     const SteadyState& steady_state);

// p in [0, 100], nearest-rank; nullopt for no values.
std::optional<double> percentile(std::vector<double> values, double p);

struct ObjectiveResult {
  std::string name;
  double target = 0;
  std::optional<double> achieved;
  bool met = false;
  std::string unit;  // "ms" or "percent"
};

// Generic over the plan's objectives; an objective whose figure could not be measured
// (e.g. the system never recovered) is not met.
std::vector<ObjectiveResult> evaluate_objectives(const std::vector<ObjectiveSpec>& objectives,
                                                 const Measurements& measurements);

Json measurements_to_json(const Measurements& measurements);
Json objectives_to_json(const std::vector<ObjectiveResult>& results);

}  // namespace faultline
