#include "runner/core/process.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/core/files.h"

namespace faultline {
namespace {

// /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and ')'.
bool read_stat_fields(pid_t pid, std::string& comm, std::vector<std::string>& after_comm) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  after_comm.clear();
  for (std::string field; rest >> field;) after_comm.push_back(field);
  return after_comm.size() >= 20;
}

std::string argv0_basename(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string argv0;
  std::getline(in, argv0, '\0');
  return std::filesystem::path(argv0).filename().string();
}

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

Result<ProcessId> identify_process(pid_t pid) {
  std::string comm;
  std::vector<std::string> fields;
  if (pid <= 0 || !read_stat_fields(pid, comm, fields)) {
    return Error{"no process with pid " + std::to_string(pid)};
  }
  // Field 22 (starttime) is the 20th field after comm (fields 3..).
  return ProcessId{pid, std::stoull(fields[19])};
}

bool is_same_process_alive(const ProcessId& id) {
  auto current = identify_process(id.pid);
  return current.ok() && current->start_ticks == id.start_ticks && process_state(id.pid) != 'Z';
}

char process_state(pid_t pid) {
  std::string comm;
  std::vector<std::string> fields;
  if (!read_stat_fields(pid, comm, fields) || fields[0].empty()) return '?';
  return fields[0][0];
}

std::vector<ProcessId> find_processes_by_name(const std::string& name) {
  std::vector<ProcessId> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string base = entry.path().filename().string();
    if (base.empty() || !std::all_of(base.begin(), base.end(), ::isdigit)) continue;
    pid_t pid = static_cast<pid_t>(std::stol(base));
    if (pid == ::getpid()) continue;
    std::string comm;
    std::vector<std::string> fields;
    if (!read_stat_fields(pid, comm, fields) || fields[0] == "Z") continue;
    if (comm == name || argv0_basename(pid) == name) {
      found.push_back(ProcessId{pid, std::stoull(fields[19])});
    }
  }
  std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.pid < b.pid; });
  return found;
}

Status signal_process(const ProcessId& id, int signal) {
  if (!is_same_process_alive(id)) {
    return Error{"process " + std::to_string(id.pid) + " has exited"};
  }
  if (::kill(id.pid, signal) != 0) {
    return Error{"cannot send SIG" + signal_name(signal) + " to pid " + std::to_string(id.pid) +
                 ": " + std::strerror(errno)};
  }
  return {};
}

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
  return Error{"unknown signal '" + text + "' (use a name such as KILL, TERM, STOP, or 1-64)"};
}

}  // namespace faultline
