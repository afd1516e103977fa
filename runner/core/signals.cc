#include "runner/core/signals.h"

#include <algorithm>
#include <csignal>

namespace faultline {
namespace {

struct SignalName {
  const char* name;
  int number;
};
constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ABRT", SIGABRT}, {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
};

}  // namespace

std::string signal_name(int signal) {
  for (const auto& known : kSignals) {
    if (known.number == signal) return known.name;
  }
  return std::to_string(signal);
}

Result<int> parse_signal(const std::string& text) {
  std::string name = text.rfind("SIG", 0) == 0 ? text.substr(3) : text;
  for (const auto& known : kSignals) {
    if (name == known.name) return known.number;
  }
  if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit) && name.size() < 3) {
    int number = std::stoi(name);
    if (number >= 1 && number <= 64) return number;
  }
  return Error{ErrorCode::invalid,
               "unknown signal '" + text + "' (use a name such as KILL, TERM, STOP, or 1-64)"};
}

}  // namespace faultline
