#include "runner/probes/exec/exec_probe.h"

#include <optional>

#include "runner/core/pattern.h"
#include "runner/core/signals.h"
#include "runner/probes/probes.h"

namespace faultline {
namespace {

class ExecProbe final : public Probe {
 public:
  ExecProbe(std::vector<std::string> argv, int64_t expect_exit,
            std::optional<Pattern> stdout_pattern, Millis timeout)
      : argv_(std::move(argv)),
        expect_exit_(expect_exit),
        stdout_pattern_(std::move(stdout_pattern)),
        timeout_(timeout) {}
  std::string describe() const override { return quote_command(argv_); }
  bool cheap_to_overlap() const override { return false; }
  ProbeOutcome check(Target& target) const override {
    auto result = target.run(Command{argv_}, timeout_);
    if (!result.ok()) return {false, probe_detail(result.error().message)};
    if (result->timed_out || result->term_signal) return {false, result->how_it_ended(timeout_)};
    std::string exit = "exit " + std::to_string(result->exit_code);
    if (result->exit_code != expect_exit_) {
      std::string said = result->err.empty() ? result->out : result->err;
      return {false, probe_detail(exit + (said.empty() ? "" : ": " + said))};
    }
    if (stdout_pattern_ && !stdout_pattern_->found_in(result->out)) {
      return {false, exit + ", stdout does not match"};
    }
    return {true, exit};
  }

 private:
  std::vector<std::string> argv_;
  int64_t expect_exit_;
  std::optional<Pattern> stdout_pattern_;
  Millis timeout_;
};

class ExecProbeType final : public ProbeType {
 public:
  std::string name() const override { return "exec"; }
  std::string summary() const override {
    return "Run a command; passes on the expected exit code (and stdout match).";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"command", ParamKind::command, true, nullptr, "argv list, or a string for /bin/sh -c", {}},
        {"expect_exit", ParamKind::integer, false, 0, "exit code that counts as healthy", {}},
        {"expect_stdout",
         ParamKind::regex,
         false,
         nullptr,
         "regex (RE2) stdout must contain a match for",
         {}},
        {"timeout",
         ParamKind::duration,
         false,
         5000,
         "limit; the process group is killed after it",
         {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    if (params.duration("timeout").count() <= 0) {
      return Error{ErrorCode::invalid, "timeout must be positive", "timeout"};
    }
    auto stdout_pattern = optional_pattern(params, "expect_stdout");
    if (!stdout_pattern.ok()) return stdout_pattern.error();
    return std::unique_ptr<Probe>(
        std::make_unique<ExecProbe>(params.strings("command"), params.integer("expect_exit"),
                                    std::move(*stdout_pattern), params.duration("timeout")));
  }
};

}  // namespace

std::unique_ptr<ProbeType> make_exec_probe_type() { return std::make_unique<ExecProbeType>(); }

}  // namespace faultline
