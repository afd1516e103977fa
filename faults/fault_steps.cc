#include "faults/fault_steps.h"

#include "runner/core/secrets.h"

namespace faultline {

Error step_failure(const std::string& step, const Command& command, const ExecResult& result,
                   Millis timeout) {
  std::string said = redacted_excerpt(result.err.empty() ? result.out : result.err, 200);
  while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
  ErrorCode code = result.cancelled   ? ErrorCode::cancelled
                   : result.timed_out ? ErrorCode::timed_out
                                      : ErrorCode::failed;
  return Error{code, step + " command " + quote_command(command.argv) + " " +
                         result.how_it_ended(timeout) + (said.empty() ? "" : ": " + said)};
}

Status run_fault_step(ActionContext& context, const std::string& step, const Command& command,
                      Millis timeout) {
  auto result = context.run_step(step, command, timeout);
  if (!result.ok()) return result.error().with_context(step + " command");
  if (result->succeeded()) return {};
  return step_failure(step, command, *result, timeout);
}

}  // namespace faultline
