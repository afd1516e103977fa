#include "runner/engine/fault_actions.h"

#include "runner/core/secrets.h"

namespace faultline {
namespace {

class DrillFaultContext final : public FaultContext {
 public:
  DrillFaultContext(FaultRun& run, FaultActionEnv& env)
      : run_(run),
        env_(env),
        steps_(
            env.target, &env.journal, fault_key(*run.spec), env.stop_requested,
            [&recorder = env.recorder] { return recorder.now_ms(); }, env.proxies) {}

  Target& target() override { return env_.target; }
  ToxicApi* drill_proxies() override { return env_.proxies; }
  std::string drill_id() const override { return env_.drill_id; }
  std::string fault_name() const override { return run_.spec->name; }

  Result<ExecResult> run_step(const std::string& step, const Command& command,
                              Millis timeout) override {
    return steps_.run_step(step, command, timeout);
  }

  Result<ProcessId> start_step(const std::string& step, const Command& command) override {
    return steps_.start_step(step, command);
  }

  std::string work_dir() const override { return steps_.work_dir(); }

  Result<std::vector<ProcessId>> target_processes() override {
    if (!run_.spec->target) return Error{ErrorCode::invalid, "fault has no target"};
    auto processes = env_.resolve(*run_.spec->target);
    if (!processes.ok()) return processes.error();
    run_.processes = *processes;
    std::vector<ProcessId> ids;
    for (const auto& process : *processes) ids.push_back(process.id);
    return ids;
  }

  Result<std::vector<ProcessId>> admit_processes(const std::vector<ProcessId>& found) override {
    auto processes = env_.admit(found);
    if (!processes.ok()) return processes.error();
    std::vector<ProcessId> ids;
    for (const auto& process : *processes) {
      run_.processes.push_back(process);
      ids.push_back(process.id);
    }
    return ids;
  }

  Status journal_before_acting(const Json& rollback, const std::string& what) override {
    // `what` is shown by recover, which redacts with the journaled secrets; the rollback
    // spec may need them and stays in the journal (mode 0600).
    JournalAction action{fault_key(*run_.spec), run_.spec->type, env_.target.name(),
                         redact(what),          rollback,        ""};
    if (Status written = env_.journal.record_intent(action); !written) return written;
    // Restamped once the journal is synced (the fault acts right after), so the fsync
    // does not count toward the RTO.
    run_.injected_ms = env_.recorder.now_ms();
    run_.injected_at = WallClock::now();
    run_.journaled = true;
    run_.rollback_spec = rollback;
    run_.what = what;
    return {};
  }

  std::vector<StepRecord> steps() const { return steps_.steps(); }

 private:
  FaultRun& run_;
  FaultActionEnv& env_;
  StepContext steps_;
};

}  // namespace

std::string fault_key(const FaultSpec& spec) { return "fault/" + spec.name; }

Status inject_fault(FaultRun& run, FaultActionEnv& env) {
  DrillFaultContext context(run, env);
  // Kept for a fault that fails before journaling; journal_before_acting restamps it.
  run.injected_ms = env.recorder.now_ms();
  run.injected_at = WallClock::now();
  auto spec = run.spec->fault->inject(context);
  run.steps = context.steps();
  if (spec.ok() && spec->is_null() && run.journaled) {
    // Nothing to undo: close the journal entry now so recover never retries it.
    (void)env.journal.record_done(fault_key(*run.spec), JournalOutcome::already_undone,
                                  "nothing to undo");
  }
  if (spec.ok()) {
    run.needs_rollback = run.journaled && !spec->is_null();
    if (run.needs_rollback) run.rollback_spec = *spec;
    env.recorder.event("inject", run.spec->name,
                       run.what.empty() ? run.spec->fault->describe() : run.what);
    return {};
  }
  // A fault that journaled and then failed half-way is still rolled back.
  run.needs_rollback = run.journaled && !run.rollback_spec.is_null();
  run.inject_error = redact(spec.error().message);
  env.recorder.event("inject", run.spec->name, run.inject_error, false);
  return spec.error();
}

Status rollback_fault(FaultRun& run, FaultActionEnv& env) {
  if (!run.needs_rollback || run.rolled_back) return {};
  StepContext steps(
      env.target, &env.journal, fault_key(*run.spec), [] { return false; },
      [&recorder = env.recorder] { return recorder.now_ms(); }, env.proxies);
  // Stamped just before acting, like the inject: a probe answered right after the
  // SIGCONT must not end before the fault's recorded end.
  run.rolled_back_ms = env.recorder.now_ms();
  run.rolled_back_at = WallClock::now();
  auto undone = run.spec->fault_type->rollback(run.rollback_spec, steps);
  run.rolled_back = true;
  for (const auto& step : steps.steps()) run.steps.push_back(step);
  JournalOutcome outcome = !undone.ok()            ? JournalOutcome::failed
                           : *undone == Undo::done ? JournalOutcome::undone
                                                   : JournalOutcome::already_undone;
  run.rollback_outcome = outcome_name(outcome);
  if (!undone.ok()) run.rollback_error = redact(undone.error().message);
  (void)env.journal.record_done(fault_key(*run.spec), outcome, run.rollback_error);
  std::string detail = !undone.ok()            ? run.rollback_error
                       : *undone == Undo::done ? "rolled back"
                                               : "nothing left to undo (already gone)";
  env.recorder.event("rollback", run.spec->name, detail, undone.ok());
  if (!undone.ok()) return undone.error();
  return {};
}

}  // namespace faultline
