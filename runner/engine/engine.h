#pragma once
// The drill engine: preflight, services, baseline, inject/observe, rollback, recovery,
// verdict. Every injected fault is rolled back (in reverse order) on success, failure,
// abort and stop requests alike; services it started are always stopped.
#include <atomic>
#include <memory>
#include <string>

#include "runner/engine/drill_report.h"
#include "runner/engine/observer.h"
#include "runner/plan/plan.h"

namespace faultline {

// Set from the signal thread (SIGINT/SIGTERM); the engine polls it.
struct StopRequest {
  std::atomic<int> signal{0};
  bool requested() const { return signal.load() != 0; }
};

struct DrillOptions {
  std::string home;  // journal under <home>/journal, service logs under <home>/logs
  std::string operator_name;
  std::shared_ptr<Target> target;
  const StopRequest* stop = nullptr;
};

// Exit codes: 0 objectives met, 1 missed / hypothesis failed, 3 aborted (all rolled
// back), 4 a rollback failed.
DrillReport run_drill(const Plan& plan, const DrillOptions& options, DrillObserver& observer);

// What `run --dry-run` prints: the phases and every fault at its offset.
std::string describe_timeline(const Plan& plan);

std::string new_drill_id(const std::string& plan_name);

}  // namespace faultline
