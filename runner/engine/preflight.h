#pragma once
// Preflight: everything that must hold before a drill may touch anything. The same
// checks run for `run` (taking the target locks) and for `run --dry-run` (only looking
// at them), so the dry run shows exactly what the drill would refuse and the blast
// radius it would have.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "runner/core/target.h"
#include "runner/os/target_locks.h"
#include "runner/plan/plan.h"

namespace faultline {

struct PreflightCheck {
  std::string what;  // "fault 'freeze' target", "records folder", "service 'web' port"
  bool ok = true;
  std::string detail;
};

struct PreflightResult {
  std::vector<PreflightCheck> checks;
  // Per fault with a pidfile or process-name target: the processes it would act on now.
  std::map<std::string, std::vector<ProcessInfo>> blast_radius;
  bool stopped = false;  // a stop request cut the checks short
  bool ok() const;
  std::vector<std::string> problems() const;  // "what: detail" of each failed check
};

struct PreflightOptions {
  std::string records_dir;
  std::string junit_path;  // "" = none
  // Asked between checks: a plan with hundreds of targets takes a while to resolve,
  // and a stop request must not wait for all of them. When it answers true,
  // run_preflight returns at once with `stopped` set and the checks done so far.
  std::function<bool()> stop_requested = [] { return false; };
};

enum class LockMode { take, check_only };

PreflightResult run_preflight(const Plan& plan, Target& target, const PreflightOptions& options,
                              TargetLocks& locks, LockMode mode);

// Lock keys: a target is locked by what names it and by each process it resolves to,
// so a pidfile and a process name that reach the same process still conflict.
std::string process_lock_key(const ProcessId& process);
std::string selector_lock_key(const ProcessSelector& selector);
std::string port_lock_key(int port);

}  // namespace faultline
