#include "runner/core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

extern char** environ;

namespace faultline {
namespace {

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

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(ChildPlan& plan, const Command& command, int stdin_fd, int stdout_fd,
                             int stderr_fd, int error_pipe) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  setpgid(0, 0);
  int null_fd = open("/dev/null", O_RDWR);
  dup2(stdin_fd >= 0 ? stdin_fd : null_fd, 0);
  dup2(stdout_fd >= 0 ? stdout_fd : null_fd, 1);
  dup2(stderr_fd >= 0 ? stderr_fd : null_fd, 2);
  // Keep only 0-2 and the error pipe (moved to 3): libcurl's probe sockets (not
  // close-on-exec before curl 8.17) must not live on inside a service.
  if (error_pipe != 3) dup2(error_pipe, 3);
  fcntl(3, F_SETFD, FD_CLOEXEC);
  error_pipe = 3;
  close_range(4, ~0U, 0);
  int error = 0;
  if (!command.cwd.empty() && chdir(command.cwd.c_str()) != 0) {
    error = errno;
  } else {
    execvpe(plan.argv[0], plan.argv.data(), plan.envp.data());
    error = errno;
  }
  ssize_t ignored = write(error_pipe, &error, sizeof error);
  (void)ignored;
  _exit(127);
}

// Forks and execs; returns the pid once exec has succeeded (or the reason it failed).
Result<pid_t> start_child(const Command& command, int stdin_fd, int stdout_fd, int stderr_fd) {
  if (command.argv.empty() || command.argv[0].empty()) return Error{"empty command"};
  ChildPlan plan = plan_child(command);
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno)};
  pid_t pid = fork();
  if (pid < 0) {
    close(error_pipe[0]), close(error_pipe[1]);
    return Error{std::string("fork: ") + strerror(errno)};
  }
  if (pid == 0) exec_child(plan, command, stdin_fd, stdout_fd, stderr_fd, error_pipe[1]);
  close(error_pipe[1]);
  // Also set from the parent, so the group exists before anyone signals it.
  setpgid(pid, pid);
  int child_errno = 0;
  ssize_t n;
  do n = read(error_pipe[0], &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);
  close(error_pipe[0]);
  if (n == sizeof child_errno) {
    waitpid(pid, nullptr, 0);
    std::string where = command.cwd.empty() ? "" : " (in " + command.cwd + ")";
    return Error{"cannot start " + quote_command(command.argv) + where + ": " +
                 strerror(child_errno)};
  }
  return pid;
}

void drain(int fd, std::string& into, size_t limit, bool& open) {
  char buffer[4096];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n > 0) {
    size_t room = into.size() < limit ? limit - into.size() : 0;
    into.append(buffer, std::min(room, static_cast<size_t>(n)));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    open = false;
  }
}

}  // namespace

Result<ExecResult> run_command(const Command& command, Millis timeout, size_t output_limit) {
  // A child that exits without reading its input must not kill us with SIGPIPE.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { signal(SIGPIPE, SIG_IGN); });
  int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno)};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]), close(out_pipe[1]);
    return Error{std::string("pipe: ") + strerror(errno)};
  }
  if (!command.input.empty() && pipe2(in_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]), close(out_pipe[1]), close(err_pipe[0]), close(err_pipe[1]);
    return Error{std::string("pipe: ") + strerror(errno)};
  }
  MonoTime started = MonoClock::now();
  auto pid = start_child(command, in_pipe[0], out_pipe[1], err_pipe[1]);
  close(out_pipe[1]), close(err_pipe[1]);
  if (in_pipe[0] >= 0) close(in_pipe[0]);
  if (in_pipe[1] >= 0) fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  if (!pid.ok()) {
    close(out_pipe[0]), close(err_pipe[0]);
    if (in_pipe[1] >= 0) close(in_pipe[1]);
    return pid.error();
  }
  ExecResult result;
  MonoTime deadline = started + timeout;
  bool out_open = true, err_open = true;
  size_t input_written = 0;
  int input_fd = in_pipe[1];
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<Millis>(deadline - MonoClock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {input_fd, POLLOUT, 0}};
    if (!out_open) fds[0].fd = -1;
    if (!err_open) fds[1].fd = -1;
    int ready = poll(fds, 3, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents) drain(out_pipe[0], result.out, output_limit, out_open);
    if (fds[1].revents) drain(err_pipe[0], result.err, output_limit, err_open);
    if (input_fd >= 0 && fds[2].revents) {
      ssize_t n = write(input_fd, command.input.data() + input_written,
                        command.input.size() - input_written);
      if (n > 0) input_written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || input_written == command.input.size()) {
        close(input_fd);
        input_fd = -1;
      }
    }
  }
  if (input_fd >= 0) close(input_fd);
  // Output closed does not mean exited; wait for the exit within the deadline too.
  int status = 0;
  while (!result.timed_out) {
    pid_t done = waitpid(*pid, &status, WNOHANG);
    if (done == *pid) break;
    if (MonoClock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    usleep(1000);
  }
  if (result.timed_out) {
    kill(-*pid, SIGKILL);
    waitpid(*pid, &status, 0);
  }
  close(out_pipe[0]), close(err_pipe[0]);
  result.elapsed = std::chrono::duration_cast<Millis>(MonoClock::now() - started);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  return result;
}

Result<ProcessId> spawn_process(const Command& command, const std::string& log_path) {
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Error{"cannot open log " + log_path + ": " + strerror(errno)};
  auto pid = start_child(command, -1, log_fd, log_fd);
  close(log_fd);
  if (!pid.ok()) return pid.error();
  auto id = identify_process(*pid);
  if (!id.ok()) return Error{"started " + quote_command(command.argv) + " but it vanished at once"};
  return *id;
}

Status signal_process_group(const ProcessId& leader, int signal) {
  if (!is_same_process_alive(leader)) {
    return Error{"process group " + std::to_string(leader.pid) + " has exited"};
  }
  if (kill(-leader.pid, signal) != 0) {
    return Error{"cannot signal process group " + std::to_string(leader.pid) + ": " +
                 strerror(errno)};
  }
  return {};
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

}  // namespace faultline
