#include "runner/os/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "runner/core/secrets.h"
#include "runner/core/signals.h"
#include "runner/core/text.h"
#include "runner/os/pidfd.h"

namespace faultline {
namespace {

constexpr unsigned long kKernelThreadFlag = 0x00200000;  // PF_KTHREAD

// Small /proc files, read whole with one bounded read (no iostreams: they allocate
// and cannot bound what they read).
std::string read_proc_file(pid_t pid, const char* name, size_t limit = 4096) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string out(limit, '\0');
  size_t used = 0;
  while (used < limit) {
    ssize_t n = ::read(fd, out.data() + used, limit - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(used);
  return out;
}

struct StatFields {
  std::string comm;
  char state = '?';
  pid_t parent = 0;
  pid_t group = 0;
  unsigned long flags = 0;
  uint64_t start_ticks = 0;
};

// /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and ')'.
bool read_stat(pid_t pid, StatFields& out) {
  if (pid <= 0) return false;
  std::string line = read_proc_file(pid, "stat");
  size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  out.comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  // Fields after comm start at field 3 (state): ppid is 4, flags 9, starttime 22.
  if (fields.size() < 20) return false;
  out.state = fields[0].empty() ? '?' : fields[0][0];
  out.parent = static_cast<pid_t>(std::strtol(fields[1].c_str(), nullptr, 10));
  out.group = static_cast<pid_t>(std::strtol(fields[2].c_str(), nullptr, 10));
  out.flags = std::strtoul(fields[6].c_str(), nullptr, 10);
  out.start_ticks = std::strtoull(fields[19].c_str(), nullptr, 10);
  return true;
}

// The process a pid belongs to: a thread's id names the thread in /proc as well, though
// it is no process of its own. 0 when it cannot be read.
pid_t thread_group_of(pid_t pid) {
  std::string status = read_proc_file(pid, "status", 16384);
  size_t at = status.find("\nTgid:");
  if (at == std::string::npos) return 0;
  return static_cast<pid_t>(std::strtol(status.c_str() + at + 6, nullptr, 10));
}

uid_t real_uid(pid_t pid) {
  std::string status = read_proc_file(pid, "status", 16384);
  size_t at = status.find("\nUid:");
  if (at == std::string::npos) return static_cast<uid_t>(-1);
  return static_cast<uid_t>(std::strtoul(status.c_str() + at + 5, nullptr, 10));
}

std::string command_line(pid_t pid) {
  std::string raw = read_proc_file(pid, "cmdline", 1024);
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  std::replace(raw.begin(), raw.end(), '\0', ' ');
  // Redacted before it is shortened: a secret in argv cut off at the limit would no
  // longer match, and its first bytes would reach the dry run and the record. One line:
  // an argument holding newlines must not add lines to the dry run or the log.
  return truncate_text(one_line(redact(raw)), 200);
}

std::string argv0_basename(pid_t pid) {
  std::string raw = read_proc_file(pid, "cmdline", 1024);
  std::string argv0 = raw.substr(0, raw.find('\0'));
  return std::filesystem::path(argv0).filename().string();
}

Error gone(const ProcessId& id) {
  return Error{ErrorCode::gone, "process " + std::to_string(id.pid) + " has exited"};
}

}  // namespace

Result<ProcessId> identify_process(pid_t pid) {
  StatFields stat;
  if (!read_stat(pid, stat)) {
    return Error{ErrorCode::gone, "no process with pid " + std::to_string(pid)};
  }
  // Signalling a thread's id reaches its whole process, which the blast-radius rules
  // would then judge by the wrong pid.
  if (pid_t group = thread_group_of(pid); group != 0 && group != pid) {
    return Error{ErrorCode::invalid, "pid " + std::to_string(pid) + " is a thread of process " +
                                         std::to_string(group) + ", not a process of its own"};
  }
  return ProcessId{pid, stat.start_ticks};
}

Result<ProcessInfo> describe_process(const ProcessId& id) {
  StatFields stat;
  if (!read_stat(id.pid, stat) || stat.start_ticks != id.start_ticks) return gone(id);
  ProcessInfo info;
  info.id = id;
  info.parent = stat.parent;
  info.group = stat.group;
  info.name = stat.comm;
  info.state = stat.state;
  info.kernel_thread = (stat.flags & kKernelThreadFlag) != 0;
  info.uid = real_uid(id.pid);
  info.user = user_name(info.uid);
  info.command_line = command_line(id.pid);
  return info;
}

bool is_same_process_alive(const ProcessId& id) {
  StatFields stat;
  return read_stat(id.pid, stat) && stat.start_ticks == id.start_ticks && stat.state != 'Z';
}

char process_state(pid_t pid) {
  StatFields stat;
  return read_stat(pid, stat) ? stat.state : '?';
}

std::vector<ProcessId> find_processes_by_name(const std::string& name) {
  std::vector<ProcessId> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* entry = ::readdir(proc)) {
    std::string base = entry->d_name;
    if (base.empty() || !std::all_of(base.begin(), base.end(), ::isdigit)) continue;
    pid_t pid = static_cast<pid_t>(std::strtol(base.c_str(), nullptr, 10));
    if (pid == ::getpid()) continue;
    StatFields stat;
    if (!read_stat(pid, stat) || stat.state == 'Z') continue;
    if (stat.comm == name || argv0_basename(pid) == name) {
      found.push_back(ProcessId{pid, stat.start_ticks});
    }
  }
  ::closedir(proc);
  std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.pid < b.pid; });
  return found;
}

Status signal_process(const ProcessId& id, int signal) {
  int pidfd = open_pidfd(id.pid);
  if (pidfd < 0) {
    if (errno == ESRCH) return gone(id);
    return Error{"cannot open pid " + std::to_string(id.pid) + ": " + std::strerror(errno)};
  }
  // The pidfd now pins whichever process has this pid; check it is the one we mean.
  if (!is_same_process_alive(id)) {
    ::close(pidfd);
    return gone(id);
  }
  int sent = signal_pidfd(pidfd, signal);
  int error = errno;
  ::close(pidfd);
  if (sent != 0) {
    if (error == ESRCH) return gone(id);
    return Error{ErrorCode::failed, "cannot send SIG" + signal_name(signal) + " to pid " +
                                        std::to_string(id.pid) + ": " + std::strerror(error)};
  }
  return {};
}

Status signal_process_group(const ProcessId& leader, int signal) {
  if (!is_same_process_alive(leader)) {
    return Error{ErrorCode::gone, "process group " + std::to_string(leader.pid) + " has exited"};
  }
  if (::kill(-leader.pid, signal) != 0) {
    if (errno == ESRCH) {
      return Error{ErrorCode::gone, "process group " + std::to_string(leader.pid) + " has exited"};
    }
    return Error{"cannot signal process group " + std::to_string(leader.pid) + ": " +
                 std::strerror(errno)};
  }
  return {};
}

std::vector<ProcessId> lineage_of_this_process() {
  std::vector<ProcessId> lineage;
  pid_t pid = ::getpid();
  // Bounded: a cycle cannot happen, but /proc is read while processes come and go.
  for (int depth = 0; depth < 256 && pid > 0; ++depth) {
    StatFields stat;
    if (!read_stat(pid, stat)) break;
    lineage.push_back(ProcessId{pid, stat.start_ticks});
    if (pid == 1) break;
    pid = stat.parent;
  }
  return lineage;
}

std::string user_name(uid_t uid) {
  if (uid == static_cast<uid_t>(-1)) return "unknown";
  passwd entry{};
  passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return std::to_string(uid);
}

}  // namespace faultline
