#pragma once
// RTO, time to detect, outages, availability and latency percentiles, computed from the
// probe rounds and the faults' inject/rollback times alone (DESIGN.md "Measurement,
// defined"). Pure functions with no clock or I/O: the unit tests feed them synthetic
// rounds. All times are milliseconds since the drill started, on the monotonic clock.
#include <optional>
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/engine/observer.h"
#include "runner/plan/plan.h"

namespace faultline {

// What the engine knows about each injected fault.
struct FaultWindow {
  std::string name;
  double injected_ms = 0;                // t_f
  std::optional<double> rolled_back_ms;  // nullopt: never rolled back (kill) or still active
};

// No round started for a while: the runner itself was stalled or throttled, so the
// figures around it are uncertain by its length.
struct Gap {
  double from_ms = 0;  // when the next round should have started
  double to_ms = 0;    // when one did
};

struct Outage {
  double began_ms = 0;                 // earliest ended_ms among its failing rounds
  std::optional<double> recovered_ms;  // ended_ms of the first of K consecutive passing
                                       // rounds; nullopt = never recovered
  std::string fault;                   // the fault it is attributed to
  int failing_rounds = 0;
  double gap_ms = 0;  // total length of Gaps overlapping it or the time before it was seen:
                      // its figures are uncertain by this much
};

struct FaultMeasurement {
  std::string name;
  double injected_ms = 0;
  std::optional<double> rolled_back_ms;
  std::optional<double> time_to_detect_ms;  // begin of its first outage - injected_ms;
                                            // nullopt when it caused none
  std::vector<size_t> outages;              // indices into Measurements::outages
  std::optional<double> recovered_ms;       // recovered_ms of its last outage
  std::optional<double> rto_ms;  // end of its last outage - injected_ms; 0 when it caused
                                 // none; nullopt when that outage never recovered
  bool recovered = true;
};

struct Measurements {
  std::optional<double> t0_ms;              // first fault injected
  std::optional<double> first_failure_ms;   // began_ms of the first outage
  std::optional<double> time_to_detect_ms;  // first_failure - t0
  std::optional<double> recovery_point_ms;  // recovered_ms of the last outage
  std::optional<double> rto_ms;          // the drill's RTO: max over faults; nullopt if any fault's
                                         // is not measured; 0 when nothing failed
  std::optional<double> downtime_ms;     // sum of outage lengths; nullopt if one never recovered
  std::vector<Outage> outages;           // in the order they were seen
  std::vector<FaultMeasurement> faults;  // same order as the FaultWindow input
  std::vector<Gap> gaps;                 // over all rounds, baseline included
  int drill_rounds = 0;                  // rounds ending at or after t0
  int passing_rounds = 0;
  std::optional<double> availability_percent;
  // From the write ledger (runner/workload), when the plan has a workload; else nullopt.
  std::optional<double> rpo_ms;
  bool recovered = false;    // no outage left unrecovered (and at least one drill round)
  double resolution_ms = 0;  // the probe interval
  int recovered_after = 0;   // K
};

// `rounds` in start order (as the Recorder keeps them); their ended_ms need not be
// monotonic, since rounds overlap. With no faults, or no round ending at or after the first
// injection, nothing is measured: every figure is nullopt and `recovered` is false (gaps are
// still reported: they describe the runner, not the system).
Measurements measure(const std::vector<Round>& rounds, const std::vector<FaultWindow>& faults,
                     const SteadyState& steady_state);

// p in [0, 100], nearest-rank; nullopt for no values.
std::optional<double> percentile(std::vector<double> values, double p);

enum class ObjectiveStatus { met, missed, not_evaluated };

struct ObjectiveResult {
  std::string name;
  double target = 0;
  std::optional<double> achieved;
  ObjectiveStatus status = ObjectiveStatus::not_evaluated;
  std::string unit;  // unit_name(): "ms" or "percent"
};

// "met", "missed" or "not_evaluated", as the record spells them.
const char* objective_status_name(ObjectiveStatus status);

// One result per plan objective, in the plan's order. `evaluated` false means the drill
// aborted before it could be measured: every objective is not_evaluated, with no figure. A
// figure that could not be measured (the system never recovered) is missed.
std::vector<ObjectiveResult> evaluate_objectives(const std::vector<ObjectiveSpec>& objectives,
                                                 const Measurements& measurements, bool evaluated);

// A figure for a record: rounded to the microsecond, and an integer when that is integral
// (100, not 100.0), so records read the same whoever wrote them. Non-finite and nullopt
// become null.
Json json_number(double value);
Json json_number(const std::optional<double>& value);

Json measurements_to_json(const Measurements& measurements);
Json objectives_to_json(const std::vector<ObjectiveResult>& results);

}  // namespace faultline
