#pragma once
// Where a fault or a probe acts. Faults and probes never start processes, send signals
// or open connections themselves: they go through a Target, so that the same fault
// type works on this host now and on a remote host over SSH later. Implementations are
// thread-safe: probes call them from probe threads while faults fire on the engine
// thread. The local implementation is runner/os/local_target.h.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/command.h"
#include "runner/core/duration.h"
#include "runner/core/process_id.h"
#include "runner/core/redis.h"
#include "runner/core/result.h"
#include "runner/core/sql.h"

namespace faultline {

// host:port that a probe talks to (used to find who answers on it).
struct Endpoint {
  std::string host;
  int port = 0;
  std::string describe() const { return host + ":" + std::to_string(port); }
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
  Millis timeout{1000};
  size_t body_limit = 64 * 1024;  // the body is read up to this, and the rest left unread
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

class Target {
 public:
  virtual ~Target() = default;

  // "local", or a host name; appears in messages, journals and records.
  virtual std::string name() const = 0;

  // Runs to completion; fails only when the process cannot be started (see RunControl).
  virtual Result<ExecResult> run(const Command& command, Millis timeout,
                                 const RunControl& control = {}) = 0;
  virtual bool has_program(const std::string& program) = 0;
  // Starts a process in the background, in its own process group, output discarded; the
  // target reaps it when it exits. RunControl::before_exec runs before it executes
  // anything (the caller journals the group there). Fails when it cannot be started.
  virtual Result<ProcessId> start(const Command& command, const RunControl& control) {
    (void)command, (void)control;
    return Error{ErrorCode::not_found, "target '" + name() + "' cannot start background processes"};
  }

  virtual Result<ProcessId> identify(pid_t pid) = 0;
  virtual Result<ProcessInfo> describe_process(const ProcessId& process) = 0;
  virtual std::vector<ProcessId> find_processes(const std::string& exact_name) = 0;
  // Reads a pidfile (a regular file, at most 4 KiB) and identifies the process it names.
  virtual Result<ProcessId> read_pidfile(const std::string& path) = 0;
  // Whether the process still runs: same pid and start time, and not a zombie.
  virtual bool is_alive(const ProcessId& process) = 0;
  // Refuses (ErrorCode::gone) when the process is gone or its pid now names another.
  virtual Status signal(const ProcessId& process, int signal) = 0;
  // Signals the process group `leader` leads, if the leader is still the same process.
  virtual Status signal_group(const ProcessId& leader, int signal) = 0;
  // Processes a fault must never act on, whatever the plan says: the runner itself and
  // every ancestor of it on this target (pausing one would hang the drill for good).
  virtual std::vector<ProcessId> runner_lineage() = 0;
  // The user faults act as on this target; processes of other users are refused unless
  // the plan names their user.
  virtual uid_t acting_uid() = 0;

  // Connects and closes at once.
  virtual Status tcp_connect(const std::string& host, int port, Millis timeout) = 0;
  // One request on a fresh connection (a probe stands for a new client).
  virtual Result<HttpResponse> http(const HttpRequest& request) = 0;
  // One SQL query on a fresh connection (runner/core/sql.h); fails when no server
  // accepts the connection in time, or the query fails. Messages never hold the
  // connection string (it may carry a password).
  virtual Result<SqlResult> sql(const SqlRequest& request) = 0;
  // One Redis exchange on a fresh connection (runner/core/redis.h): a reply for each
  // command, in order (an error reply is a reply); fails when the connection, AUTH or
  // the protocol fails, or the timeout passes. Messages never contain the password.
  virtual Result<std::vector<RedisReply>> redis(const RedisRequest& request) = 0;
  // The process listening on TCP `port` on this target, when it can be found.
  virtual std::optional<ProcessInfo> listener(int port) = 0;
};

}  // namespace faultline
