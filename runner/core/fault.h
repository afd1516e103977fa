#pragma once
// The contract between the runner and a fault type (built in or from a plugin).
//
// A FaultType is registered once by name. configure() turns validated parameters
// into an immutable Fault; the runner calls inject() on it at the planned offset.
// inject() must call FaultContext::journal_before_acting() with everything its
// rollback needs BEFORE it changes anything, and return that same rollback spec — or
// null when what it did cannot or need not be undone (a process killed).
// rollback() is given only that spec (by the runner, or by `faultline recover` in a
// new process after the runner died), must be idempotent, and must treat "already
// undone" (e.g. the process has exited) as success.
#include <memory>
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/params.h"
#include "runner/core/process.h"
#include "runner/core/result.h"
#include "runner/core/target.h"

namespace faultline {

class FaultContext {
 public:
  virtual ~FaultContext() = default;
  virtual Target& target() = 0;
  // The processes the plan's `target:` selects (a service, a pidfile or a process
  // name), resolved now; fails when the selection is empty or ambiguous.
  virtual Result<std::vector<ProcessId>> target_processes() = 0;
  virtual Status journal_before_acting(const Json& rollback, const std::string& what) = 0;
};

class Fault {
 public:
  virtual ~Fault() = default;
  // One line for the timeline, e.g. "SIGKILL".
  virtual std::string describe() const = 0;
  // Whether the plan must give this fault a process `target:`.
  virtual bool acts_on_processes() const { return false; }
  // Checks this host can run the fault (programs present, kernel support, ...).
  virtual Status preflight(Target&) const { return {}; }
  virtual Result<Json> inject(FaultContext& context) const = 0;
};

class FaultType {
 public:
  virtual ~FaultType() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual const Schema& schema() const = 0;
  virtual Result<std::unique_ptr<Fault>> configure(const Params& params) const = 0;
  virtual Status rollback(const Json& spec, Target& target) const = 0;
};

}  // namespace faultline
