#pragma once
// Starting processes. Every child gets its own process group (so a terminal's Ctrl-C
// reaches the runner alone, and a timeout kills the whole tree), the default signal
// mask, and stdin from /dev/null.
#include <map>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/process.h"
#include "runner/core/result.h"

namespace faultline {

struct Command {
  Command() = default;
  Command(std::vector<std::string> args, std::string dir = "",
          std::map<std::string, std::string> vars = {})
      : argv(std::move(args)), cwd(std::move(dir)), env(std::move(vars)) {}

  std::vector<std::string> argv;
  std::string cwd;                         // "" = inherit
  std::map<std::string, std::string> env;  // added to (overriding) the inherited environment
  std::string input;                       // written to stdin (run_command only); else /dev/null
};

struct ExecResult {
  int exit_code = -1;  // -1 when killed by a signal
  int term_signal = 0;
  bool timed_out = false;
  std::string out;  // stdout, truncated to the limit given
  std::string err;  // stderr, truncated likewise
  Millis elapsed{0};
};

// Runs to completion; on timeout the process group is killed and timed_out is set.
// Fails only when the process cannot be started (e.g. no such program).
Result<ExecResult> run_command(const Command& command, Millis timeout,
                               size_t output_limit = 64 * 1024);

// Starts a long-running process with stdout and stderr appended to `log_path`.
Result<ProcessId> spawn_process(const Command& command, const std::string& log_path);

// Sends `signal` to the process group led by `leader` (if the leader is still the same
// process).
Status signal_process_group(const ProcessId& leader, int signal);

// "a b 'c d'" for messages.
std::string quote_command(const std::vector<std::string>& argv);

// Whether `program` resolves to an executable (absolute, relative, or on PATH).
bool program_exists(const std::string& program);

}  // namespace faultline
