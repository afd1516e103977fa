#pragma once
// The contract between the runner and a fault type (built in or from a plugin).
//
// A FaultType is registered once by name. configure() turns validated parameters
// into an immutable Fault; the runner calls inject() on it at the planned offset.
// inject() must call FaultContext::journal_before_acting() with everything its
// rollback needs BEFORE it changes anything, and return that same rollback spec — or
// null when what it did cannot or need not be undone (a process killed).
// rollback() is given only that spec (by the runner, or by `faultline recover` in a
// new process after the runner died), must be idempotent, must treat "already undone"
// (e.g. the process has exited) as success, and must read the spec without trusting
// it (a journal is a file: JsonReader, never throwing accessors).
#include <memory>
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/params.h"
#include "runner/core/process_id.h"
#include "runner/core/result.h"
#include "runner/core/target.h"
#include "runner/core/toxic_api.h"

namespace faultline {

// What rolling back found: it undid something, or there was nothing left to undo.
enum class Undo { done, already_undone };

// What a fault type sees while it injects or rolls back.
class ActionContext {
 public:
  virtual ~ActionContext() = default;
  virtual Target& target() = 0;
  // Runs one command of the fault ("inject", "rollback"). Its process group is
  // journaled before it runs (recover stops it if the runner dies meanwhile), a stop
  // request (SIGINT) kills it, and its output goes, redacted and shortened, into the
  // drill record. Fails only when the command cannot be started or journaled.
  virtual Result<ExecResult> run_step(const std::string& step, const Command& command,
                                      Millis timeout) = 0;
  // Starts one background process of the fault (a CPU burner, a memory hog) in its own
  // process group, journaled (as a process group to stop) BEFORE it runs, so that
  // `faultline recover` stops it if the runner dies; the fault's rollback stops it too.
  virtual Result<ProcessId> start_step(const std::string& step, const Command& command) {
    (void)step, (void)command;
    return Error{ErrorCode::not_found, "this context cannot start background processes"};
  }
  // A folder for the drill's own files (<home>/work/<drill id>), the same for the
  // runner and for `faultline recover`; "" when there is none (tests without a journal).
  virtual std::string work_dir() const { return ""; }
  // The proxies the drill's plan declared (`proxies:`), running in the runner; null when
  // there are none here, as in `faultline recover`: those proxies ended with their runner,
  // and so did every toxic on them.
  virtual ToxicApi* drill_proxies() { return nullptr; }
};

class FaultContext : public ActionContext {
 public:
  // The processes the plan's `target:` selects (a service, a pidfile or a process
  // name), resolved now and checked against the blast-radius rules; fails when the
  // selection is empty, ambiguous or refused.
  virtual Result<std::vector<ProcessId>> target_processes() = 0;
  virtual Status journal_before_acting(const Json& rollback, const std::string& what) = 0;
  // Processes the fault found by itself rather than through `target:` (the Redis master,
  // by the port it listens on): checked against the same blast-radius rules and locked
  // for this drill, before the fault may act on them; fails when any is refused.
  virtual Result<std::vector<ProcessId>> admit_processes(const std::vector<ProcessId>& found) = 0;
  // The drill's id and the fault's name in the plan, for the names a fault gives what it
  // creates on the system (an nftables table, a toxic), so that two drills never share one.
  virtual std::string drill_id() const { return "drill"; }
  virtual std::string fault_name() const { return "fault"; }
};

class Fault {
 public:
  virtual ~Fault() = default;
  // One line for the timeline, e.g. "SIGKILL".
  virtual std::string describe() const = 0;
  // Whether the plan must give this fault a process `target:`.
  virtual bool acts_on_processes() const { return false; }
  // The proxy under the plan's `proxies:` this fault acts on ("" for none); the plan
  // loader refuses a name the plan does not declare.
  virtual std::string plan_proxy() const { return ""; }
  // Checks this host can run the fault (programs present, kernel support, ...).
  virtual Status preflight(Target&) const { return {}; }
  virtual Result<Json> inject(FaultContext& context) const = 0;
};

// Undoes one kind of journaled action from its spec alone. Fault types are rollback
// types; so are the runner's own actions (stopping a service it started, a step it
// left running), which is why `faultline recover` treats every action alike.
class RollbackType {
 public:
  virtual ~RollbackType() = default;
  virtual std::string name() const = 0;
  virtual Result<Undo> rollback(const Json& spec, ActionContext& context) const = 0;
};

class FaultType : public RollbackType {
 public:
  virtual std::string summary() const = 0;
  virtual const Schema& schema() const = 0;
  virtual Result<std::unique_ptr<Fault>> configure(const Params& params) const = 0;
};

}  // namespace faultline
