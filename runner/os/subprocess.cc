#include "runner/os/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "runner/core/signals.h"
#include "runner/os/pidfd.h"
#include "runner/os/process.h"

extern char** environ;

namespace faultline {
namespace {

// argv and envp are built before fork: the child may only make async-signal-safe calls.
struct ChildPlan {
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

ChildPlan plan_child(const Command& command) {
  ChildPlan plan;
  plan.argv_storage = command.argv;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string item(*entry);
    std::string key = item.substr(0, item.find('='));
    if (command.env.count(key) == 0) plan.env_storage.push_back(item);
  }
  for (const auto& [key, value] : command.env) plan.env_storage.push_back(key + "=" + value);
  for (auto& arg : plan.argv_storage) plan.argv.push_back(arg.data());
  plan.argv.push_back(nullptr);
  for (auto& item : plan.env_storage) plan.envp.push_back(item.data());
  plan.envp.push_back(nullptr);
  return plan;
}

struct ChildFds {
  int in = -1, out = -1, err = -1;
  int exec_error = -1;  // write end: the child reports a failed exec here
  int gate = -1;        // read end: the child waits here until the parent says go
};

// Above any descriptor the child is about to dup2 over.
int lift(int fd) { return fd < 0 ? -1 : fcntl(fd, F_DUPFD, 10); }

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(ChildPlan& plan, const Command& command, ChildFds fds) {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &default_action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  setpgid(0, 0);
  int null_fd = open("/dev/null", O_RDWR);
  // Move everything out of the way first: a runner started with fd 0 closed can have
  // been handed pipe ends numbered 0-4.
  int in = lift(fds.in >= 0 ? fds.in : null_fd), out = lift(fds.out >= 0 ? fds.out : null_fd),
      err = lift(fds.err >= 0 ? fds.err : null_fd), exec_error = lift(fds.exec_error),
      gate = lift(fds.gate);
  dup2(in, 0), dup2(out, 1), dup2(err, 2);
  dup2(exec_error, 3);
  fcntl(3, F_SETFD, FD_CLOEXEC);
  if (gate >= 0) dup2(gate, 4);
  // Keep only 0-3 (and the gate until it opens): libcurl's probe sockets and every
  // other descriptor of the runner must not live on inside a child.
  close_range(gate >= 0 ? 5 : 4, ~0U, 0);
  if (gate >= 0) {
    char go = 0;
    ssize_t n;
    do n = read(4, &go, 1);
    while (n < 0 && errno == EINTR);
    // The runner died, or refused (it could not journal us): never run.
    if (n != 1 || go != 'g') _exit(125);
    close(4);
  }
  int error = 0;
  if (!command.cwd.empty() && chdir(command.cwd.c_str()) != 0) {
    error = errno;
  } else {
    execvpe(plan.argv[0], plan.argv.data(), plan.envp.data());
    error = errno;
  }
  ssize_t ignored = write(3, &error, sizeof error);
  (void)ignored;
  _exit(127);
}

struct Started {
  pid_t pid = -1;
  int pidfd = -1;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Forks and execs; returns once exec has succeeded (or the reason it failed). With
// control.before_exec, the child waits at a gate until that has returned.
Result<Started> start_child(const Command& command, int in_fd, int out_fd, int err_fd,
                            const RunControl& control) {
  if (command.argv.empty() || command.argv[0].empty()) {
    return Error{ErrorCode::invalid, "empty command"};
  }
  ChildPlan plan = plan_child(command);
  int error_pipe[2], gate_pipe[2] = {-1, -1};
  if (pipe2(error_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno)};
  bool gated = static_cast<bool>(control.before_exec);
  if (gated && pipe2(gate_pipe, O_CLOEXEC) != 0) {
    close(error_pipe[0]), close(error_pipe[1]);
    return Error{std::string("pipe: ") + strerror(errno)};
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(error_pipe[0]), close(error_pipe[1]), close_fd(gate_pipe[0]), close_fd(gate_pipe[1]);
    return Error{std::string("fork: ") + strerror(errno)};
  }
  if (pid == 0) exec_child(plan, command, {in_fd, out_fd, err_fd, error_pipe[1], gate_pipe[0]});
  close(error_pipe[1]);
  close_fd(gate_pipe[0]);
  // Also set from the parent, so the group exists before anyone signals it.
  setpgid(pid, pid);
  // Our own unreaped child: its pid cannot be reused, so this names it for sure.
  Started started{pid, open_pidfd(pid)};
  if (gated) {
    auto id = identify_process(pid);
    Status allowed = id.ok() ? control.before_exec(*id) : Status(id.error());
    if (allowed) {
      ssize_t sent = write(gate_pipe[1], "g", 1);
      (void)sent;
    }
    close_fd(gate_pipe[1]);
    if (!allowed) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(error_pipe[0]);
      close_fd(started.pidfd);
      return allowed.error();
    }
  }
  int child_errno = 0;
  ssize_t n;
  do n = read(error_pipe[0], &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);
  close(error_pipe[0]);
  if (n == sizeof child_errno) {
    waitpid(pid, nullptr, 0);
    close_fd(started.pidfd);
    std::string where = command.cwd.empty() ? "" : " (in " + command.cwd + ")";
    ErrorCode code = child_errno == ENOENT ? ErrorCode::not_found : ErrorCode::failed;
    return Error{
        code, "cannot start " + quote_command(command.argv) + where + ": " + strerror(child_errno)};
  }
  return started;
}

void drain(int& fd, std::string& into, size_t limit) {
  char buffer[4096];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n > 0) {
    size_t room = into.size() < limit ? limit - into.size() : 0;
    into.append(buffer, std::min(room, static_cast<size_t>(n)));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close_fd(fd);
  }
}

bool has_exited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// Output a command left to a background child may stay open forever; once the command
// itself has exited, its output is read for this much longer and then left.
const Millis kOutputGrace{100};

}  // namespace

Result<ExecResult> run_command(const Command& command, Millis timeout, const RunControl& control,
                               size_t output_limit) {
  int out_pipe[2], err_pipe[2], in_pair[2] = {-1, -1};
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno)};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]), close(out_pipe[1]);
    return Error{std::string("pipe: ") + strerror(errno)};
  }
  if (!command.input.empty() && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
    close(out_pipe[0]), close(out_pipe[1]), close(err_pipe[0]), close(err_pipe[1]);
    return Error{std::string("socketpair: ") + strerror(errno)};
  }
  MonoTime started_at = MonoClock::now();
  auto started = start_child(command, in_pair[1], out_pipe[1], err_pipe[1], control);
  close(out_pipe[1]), close(err_pipe[1]);
  close_fd(in_pair[1]);
  int out_fd = out_pipe[0], err_fd = err_pipe[0], input_fd = in_pair[0];
  if (!started.ok()) {
    close_fd(out_fd), close_fd(err_fd), close_fd(input_fd);
    return started.error();
  }
  if (input_fd >= 0) {
    fcntl(input_fd, F_SETFL, O_NONBLOCK);
    shutdown(input_fd, SHUT_RD);
  }
  const pid_t pid = started->pid;
  int pidfd = started->pidfd;
  ExecResult result;
  MonoTime deadline = started_at + timeout;
  std::optional<MonoTime> exited_at;
  size_t input_written = 0;
  std::string poll_failure;
  while (true) {
    MonoTime now = MonoClock::now();
    if (exited_at && (out_fd < 0 && err_fd < 0)) break;
    if (exited_at && now >= *exited_at + kOutputGrace) break;
    if (!exited_at && now >= deadline) {
      result.timed_out = true;
      break;
    }
    if (!exited_at && control.cancelled && control.cancelled()) {
      result.cancelled = true;
      break;
    }
    MonoTime wake = exited_at ? *exited_at + kOutputGrace : deadline;
    auto left = std::chrono::duration_cast<Millis>(wake - now).count() + 1;
    if (control.cancelled) left = std::min<long>(left, 20);
    // Without a pidfd (an old kernel), the exit is noticed by a short poll instead.
    if (pidfd < 0 && !exited_at) left = std::min<long>(left, 10);
    pollfd fds[4] = {{out_fd, POLLIN, 0},
                     {err_fd, POLLIN, 0},
                     {input_fd, POLLOUT, 0},
                     {exited_at ? -1 : pidfd, POLLIN, 0}};
    int ready = poll(fds, 4, static_cast<int>(std::max<long>(left, 0)));
    if (ready < 0 && errno != EINTR) {
      poll_failure = std::string("poll: ") + strerror(errno);
      break;
    }
    if (fds[0].revents) drain(out_fd, result.out, output_limit);
    if (fds[1].revents) drain(err_fd, result.err, output_limit);
    if (input_fd >= 0 && fds[2].revents) {
      ssize_t n = send(input_fd, command.input.data() + input_written,
                       command.input.size() - input_written, MSG_NOSIGNAL);
      if (n > 0) input_written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || input_written == command.input.size()) {
        close_fd(input_fd);
      }
    }
    if (fds[3].revents || (pidfd < 0 && !exited_at && has_exited(pid))) {
      exited_at = MonoClock::now();
    }
  }
  close_fd(input_fd);
  // A command this run can no longer watch is stopped too: waiting for it blind could
  // last forever.
  if (result.timed_out || result.cancelled || (!poll_failure.empty() && !exited_at)) {
    // The leader is not reaped yet, so its group id still names this command's tree.
    kill(-pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  close_fd(out_fd), close_fd(err_fd), close_fd(pidfd);
  result.elapsed = std::chrono::duration_cast<Millis>(MonoClock::now() - started_at);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  if (!poll_failure.empty()) {
    return Error{"lost track of " + quote_command(command.argv) + " (" + poll_failure + ")"};
  }
  return result;
}

Result<ProcessId> spawn_process(const Command& command, const std::string& log_path,
                                const RunControl& control) {
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return Error{"cannot open log " + log_path + ": " + strerror(errno)};
  auto started = start_child(command, -1, log_fd, log_fd, control);
  close(log_fd);
  if (!started.ok()) return started.error();
  close_fd(started->pidfd);
  auto id = identify_process(started->pid);
  if (!id.ok()) {
    return Error{"started " + quote_command(command.argv) + " but it vanished at once"};
  }
  return *id;
}

int wait_for_exit_unreaped(pid_t pid) {
  siginfo_t exited{};
  while (waitid(P_PID, static_cast<id_t>(pid), &exited, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  return exited.si_status;
}

int reap_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

void kill_group_of_unreaped_child(pid_t leader) { kill(-leader, SIGKILL); }

bool program_exists(const std::string& program) {
  auto executable = [](const std::filesystem::path& path) {
    struct stat info;
    return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           access(path.c_str(), X_OK) == 0;
  };
  if (program.find('/') != std::string::npos) return executable(program);
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && executable(std::filesystem::path(dir) / program)) return true;
    start = end + 1;
  }
  return false;
}

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) return "killed by SIG" + signal_name(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace faultline
