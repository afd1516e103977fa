#pragma once
// The drill engine: preflight, startup, baseline, faults, rollback, recovery, observe,
// teardown, verdict (see README "Phases"). Every injected fault is rolled back (in
// reverse order) on success, failure, abort and stop requests alike; services it
// started are always stopped.
#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "runner/engine/drill_report.h"
#include "runner/engine/observer.h"
#include "runner/plan/plan.h"

namespace faultline {

// Set from the signal thread (SIGINT/SIGTERM/SIGHUP); the engine polls it.
struct StopRequest {
  std::atomic<int> signal{0};
  bool requested() const { return signal.load() != 0; }
};

struct DrillOptions {
  std::string home;  // journal under <home>/journal, service logs under <home>/logs
  std::string operator_name;
  std::shared_ptr<Target> target;
  const StopRequest* stop = nullptr;
  std::string records_dir;                           // checked in preflight; journaled for recover
  std::string junit_path;                            // "" = none; checked in preflight
  std::string lock_dir;                              // target locks; default_lock_dir() when empty
  std::map<std::string, std::string> var_overrides;  // --var, for the record
};

// Exit codes: 0 objectives met, 1 missed / hypothesis failed, 3 aborted (all rolled
// back), 4 a rollback failed.
DrillReport run_drill(const Plan& plan, const DrillOptions& options, DrillObserver& observer);

std::string new_drill_id(const std::string& plan_name);

}  // namespace faultline
