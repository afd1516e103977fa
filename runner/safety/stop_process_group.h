#pragma once
// The rollback type "process-group": stops a process group the runner started (a plan
// service, or a fault's step still running when the runner was killed). Journaled like
// any fault, so `faultline recover` stops them with no special case.
#include <memory>

#include "runner/core/fault.h"

namespace faultline {

constexpr const char* kStopProcessGroup = "process-group";

// The journaled spec for stopping the group `leader` leads: `stop_signal` first, then
// SIGKILL after `stop_timeout`. A paused group is resumed first so it can act on it.
Json stop_process_group_spec(const ProcessId& leader, int stop_signal, Millis stop_timeout);

std::unique_ptr<RollbackType> make_stop_process_group_type();

// Stops the group now; Undo::already_undone when its leader had already gone.
Result<Undo> stop_process_group(const ProcessId& leader, int stop_signal, Millis stop_timeout,
                                Target& target);

}  // namespace faultline
