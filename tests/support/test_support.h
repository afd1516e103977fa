#pragma once
// Helpers shared by the tests: temp dirs that always go away, running the real CLI,
// free loopback ports, and processes the test started (and only those) killed by pid.
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/registry.h"
#include "runner/os/subprocess.h"

namespace faultline::testing {

// A fresh directory under /tmp, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to <dir>/<name> (making the folders of a name like "a/b.lua") and
  // returns the path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs build/faultline with `args` (and --home `home` when given), up to `timeout`.
CliRun run_cli(const std::vector<std::string>& args, const std::string& home = "",
               Millis timeout = Millis(120000));

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

// A process the test started; SIGKILLed (by pid, its own group) and reaped on destruction.
class OwnedProcess {
 public:
  OwnedProcess(const Command& command, const std::string& log_path);
  ~OwnedProcess();
  OwnedProcess(const OwnedProcess&) = delete;
  OwnedProcess& operator=(const OwnedProcess&) = delete;
  pid_t pid() const { return process_.pid; }
  const ProcessId& id() const { return process_; }
  // Waits for it to exit (up to `timeout`); returns the wait status, or -1.
  int wait(Millis timeout);

 private:
  ProcessId process_;
  bool reaped_ = false;
};

// python3 -m http.server on 127.0.0.1:port in a temp cwd; waits until it accepts.
std::unique_ptr<OwnedProcess> start_http_server(int port, const TempDir& dir);
// faultline-http-fixture (answers the moment it is resumed) likewise.
std::unique_ptr<OwnedProcess> start_http_fixture(int port, const TempDir& dir);

// Waits until `condition` holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, Millis timeout);
// CPU seconds this thread has used: for "is it quick" checks of in-process work,
// which must not fail because the machine is busy with other tests.
double thread_cpu_seconds();
// CPU seconds (user + system) used by the children this process has reaped: wrapped
// around run_cli, what the faultline binary itself cost, however busy the machine is.
double reaped_children_cpu_seconds();

Json read_json(const std::string& path);
// The one record in `dir` (fails the test unless there is exactly one).
Json only_record(const std::string& dir);

std::string source_path(const std::string& relative);

// A probe that always passes, for drills whose subject is not the steady state.
inline const std::string kAlwaysPasses = "    - {name: alive, exec: {command: [\"true\"]}}\n";

// A plan that runs fast: 50 ms rounds, one baseline round, recovered after one pass.
// `faults` and `probes` are YAML list items ("  - {...}\n", "    - {...}\n"); `extra`
// holds more top-level keys (services:, ...).
std::string fast_plan(const std::string& name, const std::string& faults,
                      const std::string& probes = kAlwaysPasses, const std::string& extra = "");

// Every built-in fault and probe type, registered once for the whole test binary.
const Registry& builtin_registry();

// Whether `text` mentions `part` anywhere.
inline bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// How many times `part` occurs in `text` (overlapping occurrences counted).
inline size_t count_of(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// The real binary as a process the test owns, so the test can signal it mid-drill:
// `faultline --home HOME ARGS...` with FAULTLINE_LOCK_DIR under `home` (no target lock is
// shared with other tests); stdout and stderr both go to `log_path`.
std::unique_ptr<OwnedProcess> start_faultline(const std::vector<std::string>& args,
                                              const std::string& home, const std::string& log_path);

// run_cli with FAULTLINE_LOCK_DIR under `home`, as start_faultline.
CliRun run_drill_cli(const std::vector<std::string>& args, const std::string& home,
                     Millis timeout = Millis(120000));

// The text of a file, or "" when it cannot be read (a log the process never wrote).
std::string text_of(const std::string& path);

// xmllint's complaint about the JUnit file at `xml_path` against tests/data/junit.xsd,
// or "" when it is valid.
std::string junit_schema_problems(const std::string& xml_path);

// The names of a record's "phases", in order.
std::vector<std::string> phase_names(const Json& record);

// A process that listens on 127.0.0.1:port but never answers (python3, no accept()): a
// port holder that is not an HTTP server. Waits until the port is taken.
std::unique_ptr<OwnedProcess> start_silent_listener(int port, const TempDir& dir);

// run_cli with more environment for the child: FAULTLINE_LOCK_DIR (a private lock
// folder per test), secrets for ${env:NAME}, ...
CliRun run_cli_env(const std::vector<std::string>& args, const std::string& home,
                   const std::map<std::string, std::string>& env, Millis timeout = Millis(120000));

// Starts build/faultline with `args` in the background (stdout and stderr to `log_path`);
// the test owns it, and destroying it SIGKILLs it.
std::unique_ptr<OwnedProcess> start_cli(const std::vector<std::string>& args,
                                        const std::string& log_path,
                                        const std::map<std::string, std::string>& env = {});

// Whether the file at `path` contains `text` (false when it cannot be read).
bool file_contains(const std::string& path, const std::string& text);

// Live processes (zombies excluded) in process group `group`, read from /proc.
std::vector<pid_t> live_processes_in_group(pid_t group);

// A copy of /bin/sleep under `name` in `dir`, so that a process-name target matches only
// the processes the test starts from it.
std::string sleep_named(const TempDir& dir, const std::string& name);

// A thread of the test process that waits until destroyed; its id names a thread in
// /proc, not a process.
class WaitingThread {
 public:
  WaitingThread();
  ~WaitingThread();
  WaitingThread(const WaitingThread&) = delete;
  WaitingThread& operator=(const WaitingThread&) = delete;
  pid_t id() const { return id_; }

 private:
  std::promise<void> release_;
  pid_t id_ = 0;
  std::thread thread_;
};

}  // namespace faultline::testing
