#pragma once
// The blast radius of a fault: which processes it may act on. Whatever a plan says, a
// fault never touches pid 1, a kernel thread, the runner or any of its ancestors (a
// paused runner hangs for good), nor a process of another user unless the plan names
// that user. These are pure checks, so tests prove them without sending a signal.
#include <string>
#include <vector>

#include "runner/core/process_id.h"
#include "runner/core/result.h"

namespace faultline {

struct BlastRadiusRules {
  std::vector<ProcessId> runner_lineage;  // the runner first, then its ancestors
  uid_t acting_uid = 0;
  std::string allowed_user;  // the selector's `user:`, or ""
};

// ErrorCode::refused with a message that names the process and the rule, or ok.
Status check_blast_radius(const ProcessInfo& process, const BlastRadiusRules& rules);

// Whether `process` belongs to the user the rules allow (by name or number).
bool belongs_to_allowed_user(const ProcessInfo& process, const BlastRadiusRules& rules);

}  // namespace faultline
