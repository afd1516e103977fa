#pragma once
// Injecting and rolling back one fault on behalf of the drill: the FaultContext a
// fault type sees, the journal lines around it, and what the record keeps of it.
#include <functional>
#include <vector>

#include "runner/engine/drill_report.h"
#include "runner/engine/recorder.h"
#include "runner/os/journal.h"

namespace faultline {

struct FaultActionEnv {
  Target& target;
  Journal& journal;
  Recorder& recorder;
  // True once SIGINT/SIGTERM/SIGHUP arrived: a running inject step is cut short.
  std::function<bool()> stop_requested;
  // The processes a selector names right now, blast radius applied and locks taken.
  std::function<Result<std::vector<ProcessInfo>>(const ProcessSelector&)> resolve;
  // Processes a fault found by itself, blast radius applied and locks taken.
  std::function<Result<std::vector<ProcessInfo>>(const std::vector<ProcessId>&)> admit;
  std::string drill_id;
  // The plan's proxies, running in this process (null when the plan declares none).
  ToxicApi* proxies = nullptr;
};

// Injects the fault of `run` and records what happened in it (times, steps, error).
// The inject is stamped when its journal line is synced, right before it acts.
Status inject_fault(FaultRun& run, FaultActionEnv& env);

// Rolls back an injected fault from its journaled spec; never interrupted by a stop
// request. A fault with nothing to undo is closed in the journal at inject time.
Status rollback_fault(FaultRun& run, FaultActionEnv& env);

// The journal key of a fault's action.
std::string fault_key(const FaultSpec& spec);

}  // namespace faultline
