#include "faults/exec/exec_fault.h"

#include "runner/core/text.h"

namespace faultline {
namespace {

Status run_step(Target& target, const std::vector<std::string>& argv, Millis timeout,
                const std::string& step) {
  auto result = target.run(Command{argv, "", {}}, timeout);
  if (!result.ok()) return result.error().with_context(step + " command");
  std::string output = result->err.empty() ? result->out : result->err;
  output = truncate_text(output, 200);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  if (result->timed_out) {
    return Error{step + " command " + quote_command(argv) + " timed out after " +
                 format_duration(timeout)};
  }
  if (result->exit_code != 0) {
    std::string how = result->term_signal ? "was killed by SIG" + signal_name(result->term_signal)
                                          : "exited " + std::to_string(result->exit_code);
    return Error{step + " command " + quote_command(argv) + " " + how +
                 (output.empty() ? "" : ": " + output)};
  }
  return {};
}

class ExecFault final : public Fault {
 public:
  ExecFault(std::vector<std::string> inject, std::vector<std::string> rollback, Millis timeout)
      : inject_(std::move(inject)), rollback_(std::move(rollback)), timeout_(timeout) {}

  std::string describe() const override { return quote_command(inject_); }

  Status preflight(Target& target) const override {
    for (const auto* argv : {&inject_, &rollback_}) {
      if (!argv->empty() && !target.has_program(argv->front())) {
        return Error{"program '" + argv->front() + "' not found on " + target.name()};
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
    if (Status ran = run_step(context.target(), inject_, timeout_, "inject"); !ran) {
      return ran.error();
    }
    return spec;
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
        {"timeout", ParamKind::duration, false, 30000, "limit for each command", {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    return std::unique_ptr<Fault>(std::make_unique<ExecFault>(
        params.strings("inject"), params.strings("rollback"), params.duration("timeout")));
  }
  Status rollback(const Json& spec, Target& target) const override {
    auto argv = spec.value("command", std::vector<std::string>{});
    if (argv.empty()) return {};
    return run_step(target, argv, Millis(spec.value("timeout_ms", int64_t{30000})), "rollback");
  }
};

}  // namespace

std::unique_ptr<FaultType> make_exec_fault_type() { return std::make_unique<ExecFaultType>(); }

}  // namespace faultline
