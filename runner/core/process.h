#pragma once
// Identifying local processes robustly. A pid alone can be reused after the process
// dies, so everything that signals a process later (rollback, recover) keeps the
// pid together with its start time from /proc and refuses to act when they differ.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runner/core/result.h"

namespace faultline {

struct ProcessId {
  pid_t pid = 0;
  uint64_t start_ticks = 0;  // field 22 of /proc/<pid>/stat
};

Result<ProcessId> identify_process(pid_t pid);

// True when `id.pid` exists and is still the same process (same start time).
bool is_same_process_alive(const ProcessId& id);

// The one-letter state from /proc/<pid>/stat ('S', 'R', 'T', 'Z', ...), or '?'.
char process_state(pid_t pid);

// Processes whose kernel name (comm) or argv[0] basename equals `name` exactly,
// excluding this process.
std::vector<ProcessId> find_processes_by_name(const std::string& name);

// Sends `signal` only if `id` still names the same process. A process that has
// already exited is reported as such (callers decide whether that is an error).
Status signal_process(const ProcessId& id, int signal);

std::string signal_name(int signal);
// "KILL", "SIGKILL", "9" -> 9; error for anything else.
Result<int> parse_signal(const std::string& text);

}  // namespace faultline
