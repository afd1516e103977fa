#include "faults/process/process_faults.h"

#include <signal.h>

#include "runner/core/json_reader.h"
#include "runner/core/signals.h"

namespace faultline {
namespace {

Json processes_to_json(const std::vector<ProcessId>& processes) {
  Json out = Json::array();
  for (const auto& process : processes) out.push_back(process_id_json(process));
  return out;
}

// The processes of a journaled spec; a spec that was edited or torn is an error, never
// a guess (a wrong pid would signal a bystander).
Result<std::vector<ProcessId>> processes_from_json(const Json& spec, const std::string& where) {
  JsonReader reader(spec, where);
  auto entries = reader.items_or_empty("processes");
  if (!entries.ok()) return entries.error();
  std::vector<ProcessId> out;
  for (const JsonReader& entry : *entries) {
    auto process = read_process_id(entry);
    if (!process.ok()) return process.error();
    out.push_back(*process);
  }
  return out;
}

std::string pid_list(const std::vector<ProcessId>& processes) {
  std::string out;
  for (const auto& process : processes)
    out += (out.empty() ? "" : ",") + std::to_string(process.pid);
  return out;
}

// Signals every process; keeps going past failures so that one vanished process does
// not leave the others unsignalled, and reports every failure.
Status signal_all(Target& target, const std::vector<ProcessId>& processes, int signal) {
  std::string failures;
  for (const auto& process : processes) {
    if (Status sent = target.signal(process, signal); !sent) {
      failures += (failures.empty() ? "" : "; ") + sent.error().message;
    }
  }
  if (!failures.empty()) return Error{failures};
  return {};
}

class ProcessKill final : public Fault {
 public:
  explicit ProcessKill(int signal) : signal_(signal) {}
  std::string describe() const override { return "SIG" + signal_name(signal_); }
  bool acts_on_processes() const override { return true; }

  Result<Json> inject(FaultContext& context) const override {
    auto processes = context.target_processes();
    if (!processes.ok()) return processes.error();
    // A kill cannot be undone; the journal line still records what was done.
    Json spec{{"processes", processes_to_json(*processes)}, {"signal", signal_name(signal_)}};
    std::string what = describe() + " to pid " + pid_list(*processes);
    if (Status journaled = context.journal_before_acting(spec, what); !journaled) {
      return journaled.error();
    }
    if (Status sent = signal_all(context.target(), *processes, signal_); !sent) return sent.error();
    return Json(nullptr);
  }

 private:
  int signal_;
};

class ProcessKillType final : public FaultType {
 public:
  std::string name() const override { return "process.kill"; }
  std::string summary() const override {
    return "Send a signal (default KILL) to the target processes; nothing to roll back.";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"signal", ParamKind::signal, false, SIGKILL, "signal to send (name or number)", {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    int signal = static_cast<int>(params.integer("signal"));
    // A kill is never rolled back: a stopping signal would leave the target frozen for
    // good, after the drill and after recover.
    if (signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU) {
      return Error{ErrorCode::invalid,
                   "signal " + signal_name(signal) +
                       " would leave the target stopped for good (process.kill is never rolled "
                       "back); use type process.pause, which resumes it",
                   "signal"};
    }
    return std::unique_ptr<Fault>(std::make_unique<ProcessKill>(signal));
  }
  Result<Undo> rollback(const Json&, ActionContext&) const override { return Undo::already_undone; }
};

class ProcessPause final : public Fault {
 public:
  std::string describe() const override { return "SIGSTOP until rollback, then SIGCONT"; }
  bool acts_on_processes() const override { return true; }

  Result<Json> inject(FaultContext& context) const override {
    auto processes = context.target_processes();
    if (!processes.ok()) return processes.error();
    Json spec{{"processes", processes_to_json(*processes)}};
    std::string what = "SIGSTOP pid " + pid_list(*processes) + " (undo: SIGCONT)";
    if (Status journaled = context.journal_before_acting(spec, what); !journaled) {
      return journaled.error();
    }
    if (Status sent = signal_all(context.target(), *processes, SIGSTOP); !sent) return sent.error();
    return spec;
  }
};

class ProcessPauseType final : public FaultType {
 public:
  std::string name() const override { return "process.pause"; }
  std::string summary() const override {
    return "Freeze the target processes (SIGSTOP) for the fault's duration; rollback sends "
           "SIGCONT.";
  }
  const Schema& schema() const override {
    static const Schema schema{};
    return schema;
  }
  Result<std::unique_ptr<Fault>> configure(const Params&) const override {
    return std::unique_ptr<Fault>(std::make_unique<ProcessPause>());
  }
  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    auto processes = processes_from_json(spec, "process.pause rollback");
    if (!processes.ok()) return processes.error();
    Target& target = context.target();
    std::string failures;
    int resumed = 0;
    for (const auto& process : *processes) {
      // A process that exited while paused (a zombie included) needs no SIGCONT.
      if (!target.is_alive(process)) continue;
      Status sent = target.signal(process, SIGCONT);
      if (sent) {
        ++resumed;
      } else if (target.is_alive(process)) {
        failures += (failures.empty() ? "" : "; ") + sent.error().message;
      }
    }
    if (!failures.empty()) return Error{failures};
    return resumed > 0 ? Undo::done : Undo::already_undone;
  }
};

}  // namespace

std::unique_ptr<FaultType> make_process_kill_type() { return std::make_unique<ProcessKillType>(); }
std::unique_ptr<FaultType> make_process_pause_type() {
  return std::make_unique<ProcessPauseType>();
}

}  // namespace faultline
