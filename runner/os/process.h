#pragma once
// Local processes, read from /proc and signalled through pidfds. See
// runner/core/process_id.h for why a process is named by pid and start time.
#include <sys/types.h>

#include <string>
#include <vector>

#include "runner/core/process_id.h"
#include "runner/core/result.h"

namespace faultline {

// Fails with ErrorCode::gone when no such pid exists, and ErrorCode::invalid when `pid`
// is the id of a thread, not of a process.
Result<ProcessId> identify_process(pid_t pid);
// Fails with ErrorCode::gone when `id` no longer names a live process.
Result<ProcessInfo> describe_process(const ProcessId& id);

// True when `id.pid` exists and is still the same process (same start time), not a zombie.
bool is_same_process_alive(const ProcessId& id);

// The one-letter state from /proc/<pid>/stat ('S', 'R', 'T', 'Z', ...), or '?'.
char process_state(pid_t pid);

// Processes whose kernel name (comm) or argv[0] basename equals `name` exactly,
// excluding this process.
std::vector<ProcessId> find_processes_by_name(const std::string& name);

// Sends `signal` only if `id` still names the same process. The process is pinned
// with a pidfd before its start time is checked, so a pid reused in between can never
// receive the signal. A process that has gone is ErrorCode::gone.
Status signal_process(const ProcessId& id, int signal);

// Sends `signal` to the group `leader` leads, if the leader is still the same process.
Status signal_process_group(const ProcessId& leader, int signal);

// This process and each of its ancestors, up to pid 1.
std::vector<ProcessId> lineage_of_this_process();

// The name of a user id, or the number as text.
std::string user_name(uid_t uid);

}  // namespace faultline
