#pragma once
// What a drill looks like while it runs: timeline events and probe rounds. The
// Recorder keeps them for the record and forwards them to a DrillObserver (the live
// view). Times are milliseconds since the drill started, on the monotonic clock.
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/time.h"

namespace faultline {

struct ProbeSample {
  std::string probe;
  bool ok = false;
  double latency_ms = 0;
  std::string detail;
};

struct Round {
  int index = 0;
  std::string phase;
  double started_ms = 0;
  double ended_ms = 0;  // the round's time: when its result was known
  bool ok = false;
  std::vector<ProbeSample> samples;
};

struct TimelineEvent {
  double t_ms = 0;
  WallTime wall;
  // phase, inject, rollback, service, probe (a probe's state changed), abort, note,
  // verdict
  std::string kind;
  std::string name;  // phase name, fault name, service name, probe name
  std::string detail;
  bool ok = true;
};

// Called from the engine thread, probe threads and service threads, but never
// concurrently and always in time order: the Recorder stamps each event and calls the
// observer under one lock. Implementations must not block for long (make_view wraps
// the views so that writing to a stalled stderr never holds up a drill).
class DrillObserver {
 public:
  virtual ~DrillObserver() = default;
  virtual void on_event(const TimelineEvent& event) = 0;
  // Each round as it finishes (rounds overlap, so not necessarily in start order).
  virtual void on_round(const Round& round) = 0;
  virtual void on_finish(const Json& record) = 0;
};

}  // namespace faultline
