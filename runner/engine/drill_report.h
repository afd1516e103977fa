#pragma once
// Everything a finished (or aborted) drill knows, and its JSON drill record.
#include <optional>
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/engine/measure.h"
#include "runner/engine/observer.h"
#include "runner/plan/plan.h"

namespace faultline {

constexpr const char* kRecordSchema = "faultline.record/v1";

struct FaultRun {
  const FaultSpec* spec = nullptr;
  std::string what;  // what inject said it did
  bool journaled = false;
  Json rollback_spec;
  std::optional<double> injected_ms;
  std::optional<WallTime> injected_at;
  std::string inject_error;
  std::optional<double> rolled_back_ms;
  std::optional<WallTime> rolled_back_at;
  bool rolled_back = false;
  std::string rollback_error;
};

struct PhaseSpan {
  std::string name;
  double started_ms = 0;
  double ended_ms = 0;
  WallTime started_at;
};

struct DrillReport {
  const Plan* plan = nullptr;
  std::string drill_id;
  std::string host;
  std::string operator_name;
  std::string target;
  WallTime started_at, ended_at;
  std::vector<PhaseSpan> phases;
  std::vector<TimelineEvent> timeline;
  std::vector<Round> rounds;
  std::vector<FaultRun> faults;
  int service_restarts = 0;
  std::string service_logs;
  Measurements measurements;
  std::vector<ObjectiveResult> objectives;
  std::string verdict;  // passed, failed, aborted, rollback_failed
  int exit_code = 0;
  std::string reason;
  std::vector<std::string> leftovers;  // what may still be faulted, and how to recover
};

// The record as written to disk; every string in it has been through redact().
Json record_json(const DrillReport& report);

}  // namespace faultline
