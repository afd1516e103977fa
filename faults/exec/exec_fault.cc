#include "faults/exec/exec_fault.h"

#include "faults/fault_steps.h"
#include "runner/core/json_reader.h"

namespace faultline {
namespace {

const Millis kDefaultTimeout{30000};

Status run_step(ActionContext& context, const std::string& step,
                const std::vector<std::string>& argv, Millis timeout) {
  return run_fault_step(context, step, Command{argv}, timeout);
}

class ExecFault final : public Fault {
 public:
  ExecFault(std::vector<std::string> inject, std::vector<std::string> rollback, Millis timeout)
      : inject_(std::move(inject)), rollback_(std::move(rollback)), timeout_(timeout) {}

  std::string describe() const override { return quote_command(inject_); }

  Status preflight(Target& target) const override {
    for (const auto* argv : {&inject_, &rollback_}) {
      if (!argv->empty() && !target.has_program(argv->front())) {
        return Error{ErrorCode::not_found,
                     "program '" + argv->front() + "' not found on " + target.name()};
      }
    }
    return {};
  }

  Result<Json> inject(FaultContext& context) const override {
    Json spec{{"command", rollback_}, {"timeout_ms", timeout_.count()}};
    std::string what = "ran " + quote_command(inject_) +
                       (rollback_.empty() ? "" : " (undo: " + quote_command(rollback_) + ")");
    if (Status journaled = context.journal_before_acting(spec, what); !journaled) {
      return journaled.error();
    }
    if (Status ran = run_step(context, "inject", inject_, timeout_); !ran) return ran.error();
    // Without a rollback command there is nothing to undo.
    return rollback_.empty() ? Json(nullptr) : spec;
  }

 private:
  std::vector<std::string> inject_, rollback_;
  Millis timeout_;
};

class ExecFaultType final : public FaultType {
 public:
  std::string name() const override { return "exec"; }
  std::string summary() const override {
    return "Run a command to inject the fault and another to roll it back.";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"inject",
         ParamKind::command,
         true,
         nullptr,
         "command that injects the fault; must exit 0",
         {}},
        {"rollback", ParamKind::command, false, nullptr, "command that undoes it; must exit 0", {}},
        {"timeout",
         ParamKind::duration,
         false,
         kDefaultTimeout.count(),
         "limit for each command",
         {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    return std::unique_ptr<Fault>(std::make_unique<ExecFault>(
        params.strings("inject"), params.strings("rollback"), params.duration("timeout")));
  }
  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    JsonReader reader(spec, "exec rollback");
    auto argv = reader.strings_or("command");
    if (!argv.ok()) return argv.error();
    auto timeout = reader.integer_or("timeout_ms", kDefaultTimeout.count());
    if (!timeout.ok()) return timeout.error();
    if (argv->empty()) return Undo::already_undone;
    if (Status ran = run_step(context, "rollback", *argv, Millis(*timeout)); !ran) {
      return ran.error();
    }
    return Undo::done;
  }
};

}  // namespace

std::unique_ptr<FaultType> make_exec_fault_type() { return std::make_unique<ExecFaultType>(); }

}  // namespace faultline
