#include "runner/engine/engine.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "runner/core/journal.h"
#include "runner/core/secrets.h"
#include "runner/engine/probe_loop.h"
#include "runner/engine/recorder.h"
#include "runner/engine/services.h"

namespace faultline {
namespace {

std::string host_name() {
  char buffer[256] = {};
  gethostname(buffer, sizeof buffer - 1);
  return buffer;
}

class Drill;

// What a fault sees while it injects: the target, its processes, and the journal.
class DrillFaultContext final : public FaultContext {
 public:
  DrillFaultContext(Drill& drill, FaultRun& run) : drill_(drill), run_(run) {}
  Target& target() override;
  Result<std::vector<ProcessId>> target_processes() override;
  Status journal_before_acting(const Json& rollback, const std::string& what) override;

 private:
  Drill& drill_;
  FaultRun& run_;
};

class Drill {
 public:
  Drill(const Plan& plan, const DrillOptions& options, DrillObserver& observer)
      : plan_(plan),
        options_(options),
        target_(*options.target),
        recorder_(MonoClock::now(), observer) {
    report_.plan = &plan;
    report_.drill_id = new_drill_id(plan.name);
    report_.host = host_name();
    report_.operator_name = options.operator_name;
    report_.target = target_.name();
    report_.started_at = WallClock::now();
    for (const auto& fault : plan.faults) {
      report_.faults.emplace_back();
      report_.faults.back().spec = &fault;
    }
  }

  DrillReport run() {
    try {
      execute();
    } catch (const std::exception& problem) {
      // Whatever went wrong, finish() below still rolls back and writes the record.
      abort(std::string("internal error: ") + problem.what());
    }
    finish();
    return std::move(report_);
  }

  Target& target() { return target_; }
  Journal& journal() { return *journal_; }
  void mark_injected(FaultRun& run) {
    run.injected_ms = recorder_.now_ms();
    run.injected_at = WallClock::now();
  }
  Services* services() { return services_.get(); }

 private:
  bool stop_requested() const { return options_.stop && options_.stop->requested(); }

  void enter(const std::string& phase) {
    if (!report_.phases.empty()) report_.phases.back().ended_ms = recorder_.now_ms();
    report_.phases.push_back(PhaseSpan{phase, recorder_.now_ms(), 0, WallClock::now()});
    recorder_.set_phase(phase);
  }

  void abort(const std::string& reason) {
    if (report_.verdict.empty()) {
      report_.verdict = "aborted";
      report_.exit_code = 3;
      report_.reason = reason;
      recorder_.event("abort", recorder_.phase(), reason, false);
    }
  }

  bool check_stop() {
    if (!stop_requested()) return false;
    abort(fmt::format("stopped by SIG{} during {}", signal_name(options_.stop->signal.load()),
                      recorder_.phase()));
    return true;
  }

  // Sleeps until `when`; false when a stop request cut the wait short.
  bool sleep_until(MonoTime when) {
    while (MonoClock::now() < when) {
      if (check_stop()) return false;
      std::this_thread::sleep_for(
          std::min<MonoClock::duration>(when - MonoClock::now(), Millis(20)));
    }
    return !check_stop();
  }

  void execute() {
    enter("preflight");
    if (!preflight()) return;
    if (!plan_.services.empty()) {
      enter("startup");
      services_ = std::make_unique<Services>(plan_.services, target_, *journal_, recorder_,
                                             options_.home + "/logs/" + report_.drill_id);
      report_.service_logs = services_->log_dir();
      if (Status started = services_->start_all([&] { return stop_requested(); }); !started) {
        if (!check_stop()) abort("startup: " + started.error().message);
        return;
      }
    }
    enter("baseline");
    probes_ = std::make_unique<ProbeLoop>(plan_.steady_state, target_, recorder_);
    probes_->start();
    if (!baseline_holds()) return;
    enter("inject");
    inject_and_observe();
    rollback_all_in_reverse();
    if (!report_.verdict.empty()) return;
    enter("recovery");
    wait_for_recovery();
  }

  bool preflight() {
    std::vector<std::string> problems;
    for (const auto& fault : plan_.faults) {
      if (Status ok = fault.fault->preflight(target_); !ok) {
        problems.push_back("fault '" + fault.name + "' (" + fault.type +
                           "): " + ok.error().message);
      }
      if (fault.target && fault.target->service.empty()) {
        auto processes = resolve(*fault.target);
        if (!processes.ok())
          problems.push_back("fault '" + fault.name + "': " + processes.error().message);
      }
    }
    for (const auto& service : plan_.services) {
      if (!target_.has_program(service.command.argv[0])) {
        problems.push_back("service '" + service.name + "': program '" + service.command.argv[0] +
                           "' not found");
      }
    }
    auto journal = Journal::create(options_.home + "/journal", report_.drill_id, plan_.name);
    if (!journal.ok())
      problems.push_back(journal.error().message);
    else
      journal_.emplace(std::move(*journal));
    for (const auto& problem : problems) recorder_.event("note", "preflight", problem, false);
    if (problems.empty()) return true;
    abort("preflight: " + problems.front() +
          (problems.size() > 1 ? fmt::format(" (and {} more)", problems.size() - 1) : ""));
    return false;
  }

  bool baseline_holds() {
    const int needed = plan_.steady_state.baseline_rounds;
    size_t first = recorder_.rounds().size();
    MonoTime deadline = MonoClock::now() + needed * (plan_.steady_state.interval + Millis(60000));
    bool complete = recorder_.wait_for_rounds(
        [&](const std::vector<Round>& rounds) {
          for (size_t i = first; i < rounds.size(); ++i) {
            if (!rounds[i].ok) return true;  // decided: unhealthy
          }
          return rounds.size() >= first + needed;
        },
        deadline, [&] { return stop_requested(); });
    if (check_stop()) return false;
    auto rounds = recorder_.rounds();
    for (size_t i = first; i < rounds.size(); ++i) {
      if (rounds[i].ok) continue;
      std::string why;
      for (const auto& sample : rounds[i].samples) {
        if (!sample.ok) why += (why.empty() ? "" : "; ") + sample.probe + ": " + sample.detail;
      }
      abort("baseline: the steady state did not hold before any fault (" + why + ")");
      return false;
    }
    if (!complete) abort("baseline: no result from the probes in time");
    return complete;
  }

  struct Step {
    Millis at;
    bool inject;
    size_t fault;
  };

  void inject_and_observe() {
    std::vector<Step> steps;
    for (size_t i = 0; i < plan_.faults.size(); ++i) {
      steps.push_back({plan_.faults[i].at, true, i});
      if (plan_.faults[i].duration)
        steps.push_back({plan_.faults[i].at + *plan_.faults[i].duration, false, i});
    }
    std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
      return a.at < b.at || (a.at == b.at && !a.inject && b.inject);
    });
    MonoTime start = MonoClock::now();
    for (const Step& step : steps) {
      FaultRun& run = report_.faults[step.fault];
      MonoTime when = start + step.at;
      if (!step.inject && run.injected_ms) {
        // In force for at least its duration from the recorded injection, even when the
        // inject step woke late.
        when = std::max(when, recorder_.started() +
                                  std::chrono::ceil<MonoClock::duration>(
                                      std::chrono::duration<double, std::milli>(*run.injected_ms) +
                                      *run.spec->duration));
      }
      if (!sleep_until(when)) return;
      if (step.inject) {
        if (!inject(run)) return;
      } else if (!rollback(run)) {
        abort("rollback of fault '" + run.spec->name + "' failed during the drill");
        return;
      }
    }
  }

  bool inject(FaultRun& run) {
    DrillFaultContext context(*this, run);
    // Restamped once the journal is synced (the fault acts right after), so the fsync
    // does not count toward the RTO; kept for a fault that fails before journaling.
    mark_injected(run);
    auto spec = run.spec->fault->inject(context);
    if (spec.ok() && spec->is_null() && run.journaled) {
      // Nothing to undo: close the journal entry now so recover never retries it.
      run.journaled = false;
      (void)journal_->record_done("fault/" + run.spec->name, true, "nothing to undo");
    }
    if (spec.ok()) {
      run.rollback_spec = *spec;
      recorder_.event("inject", run.spec->name,
                      run.what.empty() ? run.spec->fault->describe() : run.what);
      return true;
    }
    run.inject_error = spec.error().message;
    recorder_.event("inject", run.spec->name, run.inject_error, false);
    abort("fault '" + run.spec->name + "' (" + run.spec->type +
          ") could not be injected: " + run.inject_error);
    return false;
  }

  // Rolls back one injected fault from its journaled spec; records the outcome.
  bool rollback(FaultRun& run) {
    if (!run.journaled || run.rolled_back) return true;
    // Stamped just before acting, like the inject: a probe answered right after the
    // SIGCONT must not end before the fault's recorded end.
    run.rolled_back_ms = recorder_.now_ms();
    run.rolled_back_at = WallClock::now();
    Status undone = run.spec->fault_type->rollback(run.rollback_spec, target_);
    run.rolled_back = true;
    if (!undone) run.rollback_error = undone.error().message;
    (void)journal_->record_done("fault/" + run.spec->name, undone.ok(),
                                undone ? "" : run.rollback_error);
    recorder_.event("rollback", run.spec->name, undone ? "rolled back" : run.rollback_error,
                    undone.ok());
    return undone.ok();
  }

  void rollback_all_in_reverse() {
    bool any = std::any_of(report_.faults.begin(), report_.faults.end(),
                           [](const FaultRun& run) { return run.journaled && !run.rolled_back; });
    if (any) enter("rollback");
    std::vector<FaultRun*> order;
    for (auto& run : report_.faults) {
      if (run.journaled && !run.rolled_back) order.push_back(&run);
    }
    std::sort(order.begin(), order.end(),
              [](FaultRun* a, FaultRun* b) { return *a->injected_ms > *b->injected_ms; });
    for (FaultRun* run : order) rollback(*run);
  }

  void wait_for_recovery() {
    double last_fault_event_ms = 0;
    for (const auto& run : report_.faults) {
      last_fault_event_ms = std::max(
          {last_fault_event_ms, run.injected_ms.value_or(0), run.rolled_back_ms.value_or(0)});
    }
    const int needed = plan_.steady_state.recovered_after;
    bool recovered = recorder_.wait_for_rounds(
        [&](const std::vector<Round>& rounds) {
          int streak = 0;
          for (const auto& round : rounds) {
            if (round.started_ms < last_fault_event_ms) continue;
            streak = round.ok ? streak + 1 : 0;
          }
          return streak >= needed;
        },
        MonoClock::now() + plan_.recovery_timeout, [&] { return stop_requested(); });
    if (check_stop()) return;
    if (!recovered) {
      report_.verdict = "failed";
      report_.exit_code = 1;
      report_.reason = "the steady state was not restored within " +
                       format_duration(plan_.recovery_timeout) + " (recovery timeout)";
      recorder_.event("note", "recovery", report_.reason, false);
    } else {
      recorder_.event("note", "recovery",
                      fmt::format("steady state held for {} consecutive rounds", needed));
      if (plan_.recovery_observe.count() > 0) {
        enter("observe");
        sleep_until(MonoClock::now() + plan_.recovery_observe);
      }
    }
  }

  // Every fault the drill tried to inject (the first try is t0, as before). One whose
  // rollback failed may still be in force, so it counts as never rolled back.
  std::vector<FaultWindow> fault_windows() const {
    std::vector<FaultWindow> windows;
    for (const auto& run : report_.faults) {
      if (!run.injected_ms) continue;
      windows.push_back({run.spec->name, *run.injected_ms,
                         run.rollback_error.empty() ? run.rolled_back_ms : std::nullopt});
    }
    return windows;
  }

  void finish() {
    if (probes_) probes_->stop();
    // Faults first (a stop request may have cut the drill short), then services.
    rollback_all_in_reverse();
    if (services_) {
      enter("teardown");
      if (Status stopped = services_->stop_all(); !stopped) {
        report_.leftovers.push_back(stopped.error().message);
      }
      report_.service_restarts = services_->restarts();
    }
    enter("verdict");
    report_.measurements = measure(recorder_.rounds(), fault_windows(), plan_.steady_state);
    // Evaluated even when aborted, as before: the engine rewrite decides when they are not.
    report_.objectives =
        evaluate_objectives(plan_.objectives, report_.measurements, /*evaluated=*/true);
    for (const auto& run : report_.faults) {
      if (!run.rollback_error.empty()) {
        report_.leftovers.push_back("fault '" + run.spec->name + "' (" + run.spec->type + ") on " +
                                    target_.name() + ": " + run.rollback_error);
      }
    }
    if (!report_.leftovers.empty()) {
      report_.verdict = "rollback_failed";
      report_.exit_code = 4;
      report_.reason =
          "rollback failed; the system may still be faulted. Fix the cause, then run `faultline "
          "recover`";
    } else if (report_.verdict.empty()) {
      std::vector<std::string> missed;
      for (const auto& objective : report_.objectives) {
        if (objective.status != ObjectiveStatus::met) missed.push_back(objective.name);
      }
      report_.verdict = missed.empty() ? "passed" : "failed";
      report_.exit_code = missed.empty() ? 0 : 1;
      std::string list;
      for (const auto& name : missed) list += (list.empty() ? "" : ", ") + name;
      report_.reason = missed.empty() ? "all objectives met" : "objectives missed: " + list;
    }
    if (journal_ && report_.leftovers.empty()) {
      if (Status removed = journal_->remove(); !removed)
        recorder_.event("note", "journal", removed.error().message, false);
    }
    recorder_.event("verdict", report_.verdict, report_.reason, report_.exit_code == 0);
    report_.phases.back().ended_ms = recorder_.now_ms();
    report_.ended_at = WallClock::now();
    report_.timeline = recorder_.timeline();
    report_.rounds = recorder_.rounds();
  }

 public:
  Result<std::vector<ProcessId>> resolve(const ProcessSelector& selector) {
    if (!selector.service.empty()) {
      auto process =
          services_
              ? services_->current(selector.service)
              : Result<ProcessId>(Error{"service '" + selector.service + "' was not started"});
      if (!process.ok()) return process.error();
      return std::vector<ProcessId>{*process};
    }
    if (!selector.pidfile.empty()) {
      auto process = target_.read_pidfile(selector.pidfile);
      if (!process.ok()) return process.error();
      return std::vector<ProcessId>{*process};
    }
    auto found = target_.find_processes(selector.process);
    if (found.empty())
      return Error{"no process named '" + selector.process + "' on " + target_.name()};
    if (found.size() > 1 && !selector.all) {
      std::string pids;
      for (const auto& process : found)
        pids += (pids.empty() ? "" : ", ") + std::to_string(process.pid);
      return Error{
          fmt::format("{} processes are named '{}' on {} (pids {}); add 'all: true' to the target "
                      "to act on every one",
                      found.size(), selector.process, target_.name(), pids)};
    }
    return found;
  }

 private:
  const Plan& plan_;
  const DrillOptions& options_;
  Target& target_;
  Recorder recorder_;
  DrillReport report_;
  std::optional<Journal> journal_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<ProbeLoop> probes_;
};

Target& DrillFaultContext::target() { return drill_.target(); }

Result<std::vector<ProcessId>> DrillFaultContext::target_processes() {
  if (!run_.spec->target) return Error{"fault has no target"};
  return drill_.resolve(*run_.spec->target);
}

Status DrillFaultContext::journal_before_acting(const Json& rollback, const std::string& what) {
  // `what` is shown by recover, which does not know this drill's secrets; the rollback
  // spec may need them and stays in the journal (mode 0600).
  JournalAction action{"fault/" + run_.spec->name, run_.spec->type, drill_.target().name(),
                       redact(what), rollback};
  if (Status written = drill_.journal().record_intent(action); !written) return written;
  drill_.mark_injected(run_);
  run_.journaled = true;
  run_.rollback_spec = rollback;
  run_.what = what;
  return {};
}

}  // namespace

DrillReport run_drill(const Plan& plan, const DrillOptions& options, DrillObserver& observer) {
  return Drill(plan, options, observer).run();
}

std::string new_drill_id(const std::string& plan_name) {
  auto now = WallClock::to_time_t(WallClock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  std::random_device random;
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z-{}-{:06x}", parts.tm_year + 1900,
                     parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                     plan_name, random() & 0xffffff);
}

std::string describe_timeline(const Plan& plan) {
  const auto& steady = plan.steady_state;
  std::string out = fmt::format("dry run of plan '{}' ({}): nothing will be started or injected\n",
                                plan.name, plan.path);
  out += "  preflight   check fault types, targets and programs; open the journal\n";
  for (const auto& service : plan.services) {
    out += fmt::format(
        "  startup     start service {}: {}{}\n", service.name, quote_command(service.command.argv),
        service.ready ? " (ready: " + service.ready->probe->describe() + ", within " +
                            format_duration(service.ready_timeout) + ")"
                      : "");
  }
  out +=
      fmt::format("  baseline    {} passing rounds of {} probe(s), every {}\n",
                  steady.baseline_rounds, steady.probes.size(), format_duration(steady.interval));
  for (const auto& probe : steady.probes)
    out += fmt::format("                probe {} ({}): {}\n", probe.name, probe.type,
                       probe.probe->describe());
  for (const auto& fault : plan.faults) {
    out += fmt::format("  T+{:<9} inject {} ({}): {}{}\n", format_duration(fault.at), fault.name,
                       fault.type, fault.fault->describe(),
                       fault.target ? " on " + fault.target->describe() : "");
    if (fault.duration) {
      out += fmt::format("  T+{:<9} roll back {}\n", format_duration(fault.at + *fault.duration),
                         fault.name);
    }
  }
  out += "  rollback    roll back every fault still active, last injected first\n";
  out += fmt::format("  recovery    wait for {} consecutive passing rounds, at most {}\n",
                     steady.recovered_after, format_duration(plan.recovery_timeout));
  if (plan.recovery_observe.count() > 0) {
    out +=
        fmt::format("  observe     keep probing for {} more (the availability window ends here)\n",
                    format_duration(plan.recovery_observe));
  }
  std::string objectives;
  for (const auto& objective : plan.objectives) {
    objectives += (objectives.empty() ? "" : ", ") + objective.name + " " +
                  (objective.name == "availability"
                       ? fmt::format("{}%", objective.target)
                       : format_duration(Millis(static_cast<int64_t>(objective.target))));
  }
  out +=
      "  verdict     objectives: " + (objectives.empty() ? std::string("none") : objectives) + "\n";
  return out;
}

}  // namespace faultline
