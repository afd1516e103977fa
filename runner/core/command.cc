#include "runner/core/command.h"

#include "runner/core/signals.h"

namespace faultline {

std::string ExecResult::how_it_ended(Millis timeout) const {
  if (cancelled) return "was cancelled";
  if (timed_out) return "timed out after " + format_duration(timeout);
  if (term_signal != 0) return "was killed by SIG" + signal_name(term_signal);
  return "exited " + std::to_string(exit_code);
}

std::string quote_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_of(" \t'\"$\\") == std::string::npos;
    out += plain ? arg : "'" + arg + "'";
  }
  return out;
}

}  // namespace faultline
