#pragma once
// Starting local processes. Every child gets its own process group (so a terminal's
// Ctrl-C reaches the runner alone, and a timeout or a stop kills the whole tree), the
// default signal dispositions and an empty signal mask, stdin from /dev/null unless
// input is given, and no file descriptor but 0-2.
#include <string>

#include "runner/core/command.h"

namespace faultline {

// Runs to completion, or until the timeout or RunControl::cancelled, when the process
// group is killed. Waits on a pidfd (no polling loop) and feeds input over a socket
// written with MSG_NOSIGNAL, so a child that exits without reading it cannot raise
// SIGPIPE in the runner. Fails only when the process cannot be started.
Result<ExecResult> run_command(const Command& command, Millis timeout,
                               const RunControl& control = {}, size_t output_limit = 64 * 1024);

// Starts a long-running process with stdout and stderr appended to `log_path`
// (created 0600: service output may hold secrets). The caller reaps it.
Result<ProcessId> spawn_process(const Command& command, const std::string& log_path,
                                const RunControl& control = {});

// Waits until child `pid` has exited, leaving it a zombie (so its pid and process
// group id cannot be reused yet); returns its wait status.
int wait_for_exit_unreaped(pid_t pid);
// Reaps an exited child; returns its wait status.
int reap_child(pid_t pid);
// SIGKILLs what is left in the group of `leader`, a child of ours not yet reaped.
void kill_group_of_unreaped_child(pid_t leader);

// Whether `program` resolves to an executable (absolute, relative, or on PATH).
bool program_exists(const std::string& program);

// "exited with status 3" / "killed by SIGKILL", from a wait status.
std::string describe_wait_status(int status);

}  // namespace faultline
