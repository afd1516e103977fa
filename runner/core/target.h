#pragma once
// Where a fault or a probe acts. Faults and probes never call system(), kill() or
// connect() themselves: they go through a Target, so that the same fault type works on
// this host now and on a remote host over SSH later. Implementations are thread-safe:
// probes call them from the probe thread while faults fire on the engine thread.
#include <memory>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/process.h"
#include "runner/core/result.h"
#include "runner/core/subprocess.h"

namespace faultline {

class Target {
 public:
  virtual ~Target() = default;

  // "local", or a host name; appears in messages and records.
  virtual std::string name() const = 0;

  virtual Result<ExecResult> run(const Command& command, Millis timeout) = 0;
  virtual bool has_program(const std::string& program) = 0;

  virtual Result<ProcessId> identify(pid_t pid) = 0;
  virtual std::vector<ProcessId> find_processes(const std::string& exact_name) = 0;
  // Reads a pidfile and identifies the process it names.
  virtual Result<ProcessId> read_pidfile(const std::string& path) = 0;
  // Whether the process still runs: same pid and start time, and not a zombie.
  virtual bool is_alive(const ProcessId& process) = 0;
  // Refuses when the process is gone or its pid now names another process.
  virtual Status signal(const ProcessId& process, int signal) = 0;

  // Connects and closes at once.
  virtual Status tcp_connect(const std::string& host, int port, Millis timeout) = 0;
};

std::shared_ptr<Target> make_local_target();

}  // namespace faultline
