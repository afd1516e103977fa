#pragma once
// Commands as faults, probes and services describe them, and what running one gives
// back. Running happens behind a Target (runner/core/target.h).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/process_id.h"
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
  std::string input;                       // written to stdin; else stdin is /dev/null
};

struct ExecResult {
  int exit_code = -1;  // -1 when killed by a signal
  int term_signal = 0;
  bool timed_out = false;
  bool cancelled = false;  // RunControl::cancelled turned true and the group was killed
  std::string out;         // stdout, truncated to the limit
  std::string err;         // stderr, truncated likewise
  Millis elapsed{0};

  bool succeeded() const { return exit_code == 0 && !timed_out && !cancelled; }
  // "exited 3", "was killed by SIGKILL", "timed out after 2s", "was cancelled".
  std::string how_it_ended(Millis timeout) const;
};

// Ways for the caller to take part while a command runs.
struct RunControl {
  // Called once the child exists in its own process group and BEFORE it runs anything;
  // when it fails, the child is killed unrun and run() fails with its error. A fault
  // journals the group here, so `faultline recover` can stop a step the runner left
  // running when it was killed.
  std::function<Status(const ProcessId& group_leader)> before_exec;
  // Polled while the command runs; when it turns true the process group is killed and
  // the result says cancelled. This is how SIGINT interrupts a long step.
  std::function<bool()> cancelled;
};

// "a b 'c d'" for messages.
std::string quote_command(const std::vector<std::string>& argv);

}  // namespace faultline
