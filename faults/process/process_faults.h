#pragma once
#include <memory>

#include "runner/core/fault.h"

namespace faultline {

// process.kill: sends a signal (default KILL) to the target processes. Nothing to undo;
// a supervisor (the plan's service restart policy, systemd, ...) is what is tested.
std::unique_ptr<FaultType> make_process_kill_type();
// process.pause: SIGSTOP for the fault's duration; rollback sends SIGCONT.
std::unique_ptr<FaultType> make_process_pause_type();

}  // namespace faultline
