#include "runner/engine/engine.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "faultline_version.h"
#include "runner/core/exit_codes.h"
#include "runner/core/secrets.h"
#include "runner/core/signals.h"
#include "runner/engine/drill_proxies.h"
#include "runner/engine/fault_actions.h"
#include "runner/engine/preflight.h"
#include "runner/engine/probe_loop.h"
#include "runner/engine/recorder.h"
#include "runner/engine/selection.h"
#include "runner/engine/services.h"
#include "runner/os/journal.h"
#include "runner/os/target_locks.h"

namespace faultline {
namespace {

std::string host_name() {
  char buffer[256] = {};
  gethostname(buffer, sizeof buffer - 1);
  return buffer;
}

std::string absolute_path(const std::string& path) {
  if (path.empty() || path == "-") return path;
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

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
    report_.var_overrides = options.var_overrides;
    report_.started_at = WallClock::now();
    for (const auto& fault : plan.faults) {
      report_.faults.emplace_back();
      report_.faults.back().spec = &fault;
    }
    locks_ = std::make_unique<TargetLocks>(
        options.lock_dir.empty() ? default_lock_dir() : options.lock_dir,
        Json{{"drill", report_.drill_id},
             {"plan", plan.name},
             {"started_at", utc_iso8601(report_.started_at)}});
  }

  DrillReport run() {
    try {
      execute();
    } catch (const std::exception& problem) {
      // Whatever went wrong, finish() below still rolls back and writes the record.
      abort(std::string("internal error: ") + problem.what());
    }
    try {
      finish();
    } catch (const std::exception& problem) {
      report_.verdict = "rollback_failed";
      report_.exit_code = exit_codes::kRollbackFailed;
      report_.reason = std::string("internal error while finishing: ") + problem.what() +
                       "; run `faultline recover`";
    }
    return std::move(report_);
  }

 private:
  bool stop_requested() const { return options_.stop && options_.stop->requested(); }

  void enter(const std::string& phase) {
    double now = recorder_.now_ms();
    if (!report_.phases.empty()) report_.phases.back().ended_ms = now;
    report_.phases.push_back(PhaseSpan{phase, now, 0, WallClock::now()});
    recorder_.set_phase(phase);
  }

  void abort(const std::string& reason) {
    if (!report_.verdict.empty()) return;
    report_.verdict = "aborted";
    report_.exit_code = exit_codes::kAborted;
    report_.reason = redact(reason);
    recorder_.event("abort", recorder_.phase(), reason, false);
  }

  bool check_stop() {
    if (!stop_requested()) return false;
    abort(fmt::format("stopped by SIG{} during {}", signal_name(options_.stop->signal.load()),
                      recorder_.phase()));
    return true;
  }

  std::optional<std::string> service_failure() const {
    return services_ ? services_->failure() : std::nullopt;
  }

  // Aborts when a service exited before the faults began (see Services).
  bool check_service_failure() {
    auto failed = service_failure();
    if (!failed) return false;
    abort(recorder_.phase() + ": " + *failed);
    return true;
  }

  // Until the first fault acts, nothing but the system itself can bring it down: a
  // service that exits, or a round that fails, then means the system was already broken
  // (a finding, not a drill), and measuring on would blame the first fault for it.
  enum class Waiting { before_first_fault, during_faults };

  // Aborts when a round that ended after the baseline, and before any fault, failed.
  bool check_unhealthy_before_faults() {
    for (const auto& round : recorder_.rounds()) {
      if (round.ended_ms < faults_phase_ms_ || round.ok) continue;
      abort("faults: the steady state failed before the first fault was injected (" +
            failing_probes(round) + ")");
      return true;
    }
    return false;
  }

  bool system_broke_before_faults() {
    return check_service_failure() || check_unhealthy_before_faults();
  }

  // Sleeps until `when`; false when a stop request (or, before the first fault, a broken
  // system) cut the wait short.
  bool sleep_until(MonoTime when, Waiting waiting = Waiting::during_faults) {
    bool watch = waiting == Waiting::before_first_fault;
    while (MonoClock::now() < when) {
      if (check_stop()) return false;
      if (watch && system_broke_before_faults()) return false;
      std::this_thread::sleep_for(
          std::min<MonoClock::duration>(when - MonoClock::now(), Millis(20)));
    }
    return !check_stop() && !(watch && system_broke_before_faults());
  }

  void execute() {
    enter("preflight");
    // Preflight itself cannot be interrupted (it only looks and takes locks); a stop
    // request that came meanwhile is honoured before anything starts.
    if (!preflight() || check_stop()) return;
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
    if (!start_workload()) return;
    if (!baseline_holds()) return;
    enter("faults");
    faults_phase_ms_ = recorder_.now_ms();
    run_fault_schedule();
    if (!report_.verdict.empty()) return;
    enter("rollback");
    rollback_all_in_reverse();
    if (!report_.verdict.empty() || check_stop()) return;
    enter("recovery");
    wait_for_recovery();
  }

  Json journal_info() const {
    Json vars = Json::object();
    for (const auto& [name, value] : options_.var_overrides) vars[name] = redact(value);
    return Json{
        {"plan",
         {{"name", plan_.name}, {"path", absolute_path(plan_.path)}, {"sha256", plan_.sha256}}},
        {"records_dir", absolute_path(options_.records_dir)},
        {"junit", absolute_path(options_.junit_path)},
        {"started_at", utc_iso8601(report_.started_at)},
        {"host", report_.host},
        {"operator", report_.operator_name},
        {"target", target_.name()},
        {"faultline_version", FAULTLINE_VERSION},
        {"vars", vars},
        {"objectives", objectives_to_json(evaluate_objectives(plan_.objectives, Measurements{},
                                                              /*evaluated=*/false))}};
  }

  bool preflight() {
    PreflightResult result = run_preflight(
        plan_, target_,
        {options_.records_dir, options_.junit_path, [this] { return stop_requested(); }}, *locks_,
        LockMode::take);
    report_.preflight = result.checks;
    if (result.stopped) {
      check_stop();  // records the abort: a stop request is why preflight ended early
      return false;
    }
    for (const auto& note : locks_->taken_over()) {
      report_.notes.push_back(note);
      recorder_.event("note", "preflight", note);
    }
    std::vector<std::string> problems = result.problems();
    if (problems.empty()) {
      auto journal = Journal::create(options_.home + "/journal", report_.drill_id, journal_info(),
                                     registered_secrets());
      if (journal.ok())
        journal_ = std::move(*journal);
      else
        problems.push_back("journal: " + journal.error().message);
    }
    if (problems.empty() && !plan_.proxies.empty()) {
      auto proxies = DrillProxies::start(plan_.proxies);
      if (proxies.ok()) {
        proxies_ = std::move(*proxies);
        recorder_.event("note", "preflight",
                        std::to_string(plan_.proxies.size()) + " proxy(ies) listening");
      } else {
        problems.push_back(proxies.error().message);
      }
    }
    for (const auto& problem : problems) recorder_.event("note", "preflight", problem, false);
    if (problems.empty()) return true;
    abort("preflight: " + problems.front() +
          (problems.size() > 1 ? fmt::format(" (and {} more)", problems.size() - 1) : ""));
    return false;
  }

  std::string failing_probes(const Round& round) const {
    std::string why;
    for (const auto& sample : round.samples) {
      if (!sample.ok) why += (why.empty() ? "" : "; ") + sample.probe + ": " + sample.detail;
    }
    return why;
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
        deadline, [&] { return stop_requested() || service_failure().has_value(); });
    if (check_stop() || check_service_failure()) return false;
    auto rounds = recorder_.rounds();
    for (size_t i = first; i < rounds.size(); ++i) {
      if (rounds[i].ok) continue;
      abort("baseline: the steady state did not hold before any fault (" +
            failing_probes(rounds[i]) + ")");
      return false;
    }
    if (!complete) abort("baseline: no result from the probes in time");
    return complete;
  }

  FaultActionEnv fault_env() {
    return FaultActionEnv{target_,
                          *journal_,
                          recorder_,
                          [this] { return stop_requested(); },
                          [this](const ProcessSelector& selector) { return resolve(selector); },
                          [this](const std::vector<ProcessId>& found) { return admit(found); },
                          report_.drill_id,
                          proxies_ ? &proxies_->api() : nullptr};
  }

  struct Step {
    Millis at;
    bool inject;
    size_t fault;
  };

  void run_fault_schedule() {
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
    double start_ms = recorder_.ms_at(start);
    for (auto& run : report_.faults) run.planned_ms = start_ms + run.spec->at.count();
    FaultActionEnv env = fault_env();
    bool faults_began = false;
    for (const Step& step : steps) {
      FaultRun& run = report_.faults[step.fault];
      MonoTime when = start + step.at;
      if (!step.inject && run.injected_ms) {
        // In force for at least its duration from the recorded injection, even when the
        // inject step woke late.
        when = std::max(
            when, at_offset(recorder_.started(), *run.injected_ms + run.spec->duration->count()));
      }
      if (!sleep_until(when, faults_began ? Waiting::during_faults : Waiting::before_first_fault)) {
        return;
      }
      if (step.inject && !faults_began) {
        // From here on a fault may bring a service down, and its restart policy applies.
        faults_began = true;
        if (auto failed = services_ ? services_->expect_exits() : std::nullopt) {
          abort("faults: " + *failed);
          return;
        }
      }
      if (step.inject) {
        if (Status injected = inject_fault(run, env); !injected) {
          if (!check_stop()) {
            abort("fault '" + run.spec->name + "' (" + run.spec->type +
                  ") could not be injected: " + run.inject_error);
          }
          return;
        }
      } else if (Status undone = rollback_fault(run, env); !undone) {
        abort("rollback of fault '" + run.spec->name +
              "' failed during the drill: " + run.rollback_error);
        return;
      }
    }
  }

  void rollback_all_in_reverse() {
    std::vector<FaultRun*> order;
    for (auto& run : report_.faults) {
      if (run.needs_rollback && !run.rolled_back) order.push_back(&run);
    }
    if (order.empty()) {
      recorder_.event("note", "rollback", "nothing left to roll back");
      return;
    }
    std::sort(order.begin(), order.end(),
              [](FaultRun* a, FaultRun* b) { return *a->injected_ms > *b->injected_ms; });
    FaultActionEnv env = fault_env();
    for (FaultRun* run : order) (void)rollback_fault(*run, env);
  }

  void wait_for_recovery() {
    // Every rollback has finished by now. Only rounds that began afterwards show the
    // state the rollbacks left: one that began while a rollback was still acting may
    // have passed before the rollback broke (or fixed) anything.
    const double rollbacks_done_ms = recorder_.now_ms();
    const int needed = plan_.steady_state.recovered_after;
    bool recovered = recorder_.wait_for_rounds(
        [&](const std::vector<Round>& rounds) {
          int streak = 0;
          for (const auto& round : rounds) {
            if (round.started_ms < rollbacks_done_ms) continue;
            streak = round.ok ? streak + 1 : 0;
          }
          return streak >= needed;
        },
        MonoClock::now() + plan_.recovery_timeout, [&] { return stop_requested(); });
    if (check_stop()) return;
    if (!recovered) {
      report_.verdict = "failed";
      report_.exit_code = exit_codes::kMissed;
      report_.reason = "the steady state was not restored within " +
                       format_duration(plan_.recovery_timeout) + " (recovery timeout)";
      recorder_.event("note", "recovery", report_.reason, false);
      return;
    }
    recorder_.event("note", "recovery",
                    fmt::format("steady state held for {} consecutive rounds", needed));
    if (plan_.recovery_observe.count() > 0) {
      enter("observe");
      sleep_until(MonoClock::now() + plan_.recovery_observe);
    }
  }

  // The write ledger starts with the baseline, so that it writes before, during and after
  // the faults; a ledger that cannot be prepared aborts the drill before any fault.
  bool start_workload() {
    if (!plan_.workload) return true;
    const WorkloadSpec& spec = *plan_.workload;
    Params params(spec.params);
    WorkloadRun run;
    run.ledger = spec.ledger;
    run.describe = spec.ledger_type->describe(params);
    run.rate = spec.rate;
    run.write_timeout_ms = static_cast<double>(spec.write_timeout.count());
    report_.workload = run;
    writer_ = std::make_unique<LedgerWriter>(spec.ledger_type->open(params, report_.drill_id),
                                             spec.rate, spec.write_timeout, recorder_.origin());
    if (Status started = writer_->start(spec.read_back_timeout); !started) {
      report_.workload->error = started.error().message;
      writer_.reset();
      abort("workload: " + started.error().message);
      return false;
    }
    report_.workload->started_ms = writer_->started_ms();
    recorder_.event("note", "workload",
                    fmt::format("ledger writer started: {}/s to {}", spec.rate, run.describe));
    return true;
  }

  // Stops the writer and reads back what survived, while the system is still up.
  void finish_workload() {
    if (!writer_) return;
    writer_->stop();
    WorkloadRun& run = *report_.workload;
    run.stopped_ms = recorder_.now_ms();
    run.counters = writer_->counters();
    auto back = writer_->store().read_back(plan_.workload->read_back_timeout);
    run.read_back_ms = recorder_.now_ms();
    if (!back.ok()) {
      run.error = back.error().message;
      recorder_.event("note", "workload", "ledger read back failed: " + run.error, false);
    } else {
      run.read_back_server = back->server;
      run.measurement = measure_ledger(writer_->writes(), *back, writer_->started_ms());
      const LedgerMeasurement& m = *run.measurement;
      recorder_.event(
          "note", "workload",
          fmt::format("ledger: {} acknowledged, {} lost, {} duplicated, {} "
                      "unexpected, rpo {:.0f}ms",
                      m.acknowledged, m.lost, m.duplicates, m.unexpected, m.rpo_ms.value_or(0)),
          m.lost == 0 && m.unexpected == 0);
    }
    writer_.reset();
  }

  // What remains to be measured and judged once the drill is over, whatever happened.
  void finish() {
    bool any_to_undo = std::any_of(report_.faults.begin(), report_.faults.end(), [](auto& run) {
      return run.needs_rollback && !run.rolled_back;
    });
    // A stop request or an abort may have cut the drill short with faults still active.
    // They are undone before the probe rounds in flight are waited for: a probe stuck on
    // the frozen service may take its whole timeout.
    if (any_to_undo) {
      enter("rollback");
      rollback_all_in_reverse();
    }
    if (probes_) probes_->stop();
    finish_workload();
    if (services_) {
      enter("teardown");
      if (Status stopped = services_->stop_all(); !stopped) {
        report_.leftovers.push_back(stopped.error().message);
      }
      report_.service_restarts = services_->restarts();
    }
    if (proxies_) {
      if (!services_) enter("teardown");
      proxies_.reset();
      recorder_.event("note", "teardown", "proxies stopped");
    }
    enter("verdict");
    judge();
    if (journal_ && report_.leftovers.empty()) {
      if (Status removed = journal_->remove(); !removed) {
        report_.notes.push_back(removed.error().message);
        recorder_.event("note", "journal", removed.error().message, false);
      }
    } else if (journal_) {
      // Kept for recover, which must know this drill ended and has a record of its own.
      (void)journal_->record_finished(report_.verdict, report_.exit_code);
    }
    locks_->release_all(report_.leftovers.empty() ? TargetLocks::KeepFiles::no
                                                  : TargetLocks::KeepFiles::yes);
    recorder_.event("verdict", report_.verdict, report_.reason, report_.exit_code == 0);
    report_.phases.back().ended_ms = recorder_.now_ms();
    report_.ended_at = WallClock::now();
    report_.timeline = recorder_.timeline();
    report_.rounds = recorder_.rounds();
  }

  void judge() {
    std::vector<FaultWindow> windows;
    for (const auto& run : report_.faults) {
      // A fault that journaled may have acted, even if its inject then failed.
      if (!run.injected_ms || !run.journaled) continue;
      // One whose rollback failed may still be in force.
      bool undone = run.rolled_back && run.rollback_error.empty();
      windows.push_back(FaultWindow{run.spec->name, *run.injected_ms,
                                    undone ? run.rolled_back_ms : std::nullopt});
    }
    report_.measurements = measure(recorder_.rounds(), windows, plan_.steady_state);
    if (report_.workload && report_.workload->measurement) {
      report_.measurements.rpo_ms = report_.workload->measurement->rpo_ms;
    }
    // An aborted drill was not run to its end: its figures judge nothing.
    report_.evaluated = report_.verdict != "aborted";
    report_.objectives =
        evaluate_objectives(plan_.objectives, report_.measurements, report_.evaluated);
    for (const auto& run : report_.faults) {
      if (!run.rollback_error.empty()) {
        report_.leftovers.push_back("fault '" + run.spec->name + "' (" + run.spec->type + ") on " +
                                    target_.name() + ": " + run.rollback_error);
      }
    }
    if (!report_.leftovers.empty()) {
      report_.verdict = "rollback_failed";
      report_.exit_code = exit_codes::kRollbackFailed;
      report_.reason =
          "rollback failed; the system may still be faulted. Fix the cause, then run `faultline "
          "recover`";
      return;
    }
    if (!report_.verdict.empty()) return;
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

  // The processes a fault's target names now, checked against the blast-radius rules
  // and locked for this drill.
  Result<std::vector<ProcessInfo>> resolve(const ProcessSelector& selector) {
    Result<std::vector<ProcessInfo>> selected = Error{""};
    if (!selector.service.empty()) {
      auto process =
          services_
              ? services_->current(selector.service)
              : Result<ProcessId>(Error{"service '" + selector.service + "' was not started"});
      if (!process.ok()) return process.error();
      selected = check_selected({*process}, selector, target_);
    } else {
      selected = select_processes(selector, target_);
    }
    if (!selected.ok()) return selected.error();
    if (Status locked = lock_all(*selected); !locked) return locked.error();
    return selected;
  }

  // Processes a fault found by itself (not through `target:`): the blast-radius rules
  // of a target without `user:` (only the drill's own user's processes), then locked.
  Result<std::vector<ProcessInfo>> admit(const std::vector<ProcessId>& found) {
    auto admitted = check_selected(found, ProcessSelector{}, target_);
    if (!admitted.ok()) return admitted.error();
    if (Status locked = lock_all(*admitted); !locked) return locked.error();
    return admitted;
  }

  Status lock_all(const std::vector<ProcessInfo>& processes) {
    for (const auto& process : processes) {
      if (Status locked = locks_->acquire(process_lock_key(process.id), process.describe());
          !locked) {
        return locked;
      }
    }
    return {};
  }

  const Plan& plan_;
  const DrillOptions& options_;
  Target& target_;
  Recorder recorder_;
  DrillReport report_;
  std::unique_ptr<TargetLocks> locks_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<DrillProxies> proxies_;
  std::unique_ptr<ProbeLoop> probes_;
  std::unique_ptr<LedgerWriter> writer_;
  double faults_phase_ms_ = 0;  // when the faults phase began
};

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

}  // namespace faultline
