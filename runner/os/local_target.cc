#include "runner/os/local_target.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <thread>

#include "runner/os/files.h"
#include "runner/os/http_client.h"
#include "runner/os/net.h"
#include "runner/os/pg_client.h"
#include "runner/os/process.h"
#include "runner/os/redis_client.h"
#include "runner/os/subprocess.h"

namespace faultline {
namespace {

// A pidfile holds a pid and perhaps a newline; anything bigger is not a pidfile.
constexpr size_t kMaxPidfileBytes = 4096;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The pid on a pidfile's first line, which must hold nothing else but blanks: "12abc" or
// "3.14" is garbage, not pid 12 or pid 3 (a guess would signal a bystander). Later lines
// are allowed, as in PostgreSQL's postmaster.pid.
std::optional<pid_t> pid_on_first_line(const std::string& text) {
  std::string line = first_line(text);
  size_t begin = line.find_first_not_of(" \t\r");
  size_t end = line.find_last_not_of(" \t\r");
  if (begin == std::string::npos) return std::nullopt;
  std::string digits = line.substr(begin, end - begin + 1);
  if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) {
    return std::nullopt;
  }
  pid_t pid = static_cast<pid_t>(std::stol(digits));
  if (pid <= 0) return std::nullopt;
  return pid;
}

class LocalTarget final : public Target {
 public:
  std::string name() const override { return "local"; }

  Result<ExecResult> run(const Command& command, Millis timeout,
                         const RunControl& control) override {
    return run_command(command, timeout, control);
  }

  bool has_program(const std::string& program) override { return program_exists(program); }

  Result<ProcessId> start(const Command& command, const RunControl& control) override {
    auto started = spawn_process(command, "/dev/null", control);
    if (!started.ok()) return started.error();
    // Reaped as soon as it exits, so it never lingers as a zombie; its start time in
    // the ProcessId keeps a reused pid from being mistaken for it.
    std::thread([pid = started->pid] { (void)reap_child(pid); }).detach();
    return started;
  }

  Result<ProcessId> identify(pid_t pid) override { return identify_process(pid); }

  Result<ProcessInfo> describe_process(const ProcessId& process) override {
    return faultline::describe_process(process);
  }

  std::vector<ProcessId> find_processes(const std::string& exact_name) override {
    return find_processes_by_name(exact_name);
  }

  Result<ProcessId> read_pidfile(const std::string& path) override {
    auto text = read_regular_file(path, kMaxPidfileBytes, "pidfile");
    if (!text.ok()) return text.error();
    auto pid = pid_on_first_line(*text);
    if (!pid) {
      return Error{ErrorCode::invalid,
                   "pidfile " + path + " holds no pid: its first line must be a process id alone"};
    }
    auto id = identify_process(*pid);
    if (!id.ok() && id.error().is(ErrorCode::gone)) {
      return Error{ErrorCode::gone, "pidfile " + path + " names pid " + std::to_string(*pid) +
                                        ", which is not running"};
    }
    if (!id.ok()) return id.error().with_context("pidfile " + path);
    return id;
  }

  bool is_alive(const ProcessId& process) override { return is_same_process_alive(process); }

  Status signal(const ProcessId& process, int signal) override {
    return signal_process(process, signal);
  }

  Status signal_group(const ProcessId& leader, int signal) override {
    return signal_process_group(leader, signal);
  }

  std::vector<ProcessId> runner_lineage() override { return lineage_of_this_process(); }

  uid_t acting_uid() override { return ::geteuid(); }

  Status tcp_connect(const std::string& host, int port, Millis timeout) override {
    return faultline::tcp_connect(host, port, timeout);
  }

  Result<HttpResponse> http(const HttpRequest& request) override { return http_request(request); }

  Result<SqlResult> sql(const SqlRequest& request) override { return sql_query(request); }

  Result<std::vector<RedisReply>> redis(const RedisRequest& request) override {
    return redis_exchange(request);
  }

  std::optional<ProcessInfo> listener(int port) override {
    auto owner = process_listening_on(port);
    if (!owner) return std::nullopt;
    auto info = faultline::describe_process(*owner);
    if (!info.ok()) return std::nullopt;
    return *info;
  }
};

}  // namespace

std::shared_ptr<Target> make_local_target() { return std::make_shared<LocalTarget>(); }

}  // namespace faultline
