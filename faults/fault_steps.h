#pragma once
// Running a fault's command through its ActionContext (journaled, recorded, stoppable),
// shared by the fault types that run commands (exec, network.partition, network.netem).
#include <string>

#include "runner/core/fault.h"

namespace faultline {

// Runs one step; fails unless it exited 0, with a message that quotes the command, how
// it ended and (redacted, shortened) what it said on stderr or else stdout.
Status run_fault_step(ActionContext& context, const std::string& step, const Command& command,
                      Millis timeout);

// The same message for a step that ran but did not succeed.
Error step_failure(const std::string& step, const Command& command, const ExecResult& result,
                   Millis timeout);

}  // namespace faultline
