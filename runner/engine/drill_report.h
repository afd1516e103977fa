#pragma once
// Everything a finished (or aborted) drill knows, and its JSON drill record.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/engine/measure.h"
#include "runner/engine/observer.h"
#include "runner/engine/preflight.h"
#include "runner/plan/plan.h"
#include "runner/safety/step_context.h"
#include "runner/workload/ledger_writer.h"

namespace faultline {

constexpr const char* kRecordSchema = "faultline.record/v2";

struct FaultRun {
  const FaultSpec* spec = nullptr;
  double planned_ms = 0;  // when the schedule meant to inject it, on the drill's time base
  std::string what;       // what inject said it did
  std::vector<ProcessInfo> processes;  // what it acted on (faults with a process target)
  bool journaled = false;
  bool needs_rollback = false;  // inject returned a rollback spec (not null)
  Json rollback_spec;
  std::optional<double> injected_ms;
  std::optional<WallTime> injected_at;
  std::string inject_error;
  std::optional<double> rolled_back_ms;
  std::optional<WallTime> rolled_back_at;
  bool rolled_back = false;
  std::string rollback_outcome;  // undone, already_undone, failed ("" = not run)
  std::string rollback_error;
  std::vector<StepRecord> steps;  // the commands it ran (exec faults, plugins)
};

// What the write ledger (plan `workload:`) did and what it measured.
struct WorkloadRun {
  std::string ledger;    // "postgres"
  std::string describe;  // where it wrote, without secrets
  int rate = 0;
  double write_timeout_ms = 0;
  std::optional<double> started_ms, stopped_ms;
  WriterCounters counters;
  std::string error;  // it could not start, or read back
  std::optional<double> read_back_ms;
  std::string read_back_server;
  std::optional<LedgerMeasurement> measurement;  // nullopt: nothing read back
};

Json workload_json(const WorkloadRun& run);

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
  std::map<std::string, std::string> var_overrides;  // --var, as given (redacted on output)
  WallTime started_at, ended_at;
  std::vector<PreflightCheck> preflight;
  std::vector<PhaseSpan> phases;
  std::vector<TimelineEvent> timeline;
  std::vector<Round> rounds;
  std::vector<FaultRun> faults;
  int service_restarts = 0;
  std::string service_logs;
  std::optional<WorkloadRun> workload;
  Measurements measurements;
  bool evaluated = false;  // false when the drill aborted before it could be judged
  std::vector<ObjectiveResult> objectives;
  std::string verdict;  // passed, failed, aborted, rollback_failed
  int exit_code = 0;
  std::string reason;
  std::vector<std::string> leftovers;  // what may still be faulted, and how to recover
  std::vector<std::string> notes;      // locks taken over, journal trouble, ...
};

// The record as written to disk; every string in it has been through redact().
Json record_json(const DrillReport& report);

// Walks every string in `value` through redact(), so no path can leak a secret.
void redact_all(Json& value);

}  // namespace faultline
