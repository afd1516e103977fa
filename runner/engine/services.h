#pragma once
// Starts the plan's services (the system under test), restarts them by their policy,
// and always stops them at the end. Each service runs in its own process group and is
// journaled before it is spawned, so `faultline recover` stops it if the runner is
// killed.
//
// A service must prove it is the system under test: until the engine says faults may
// begin (expect_exits), any exit of a service is fatal to the drill — it is not
// restarted, and failure() names it and quotes the end of its log — and a service is
// ready only when its ready probe passes AND, for a probe on a local port, the process
// listening there is the service or one of its children, not some other server that
// happens to answer on that port.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "runner/engine/recorder.h"
#include "runner/os/journal.h"
#include "runner/plan/plan.h"

namespace faultline {

class Services {
 public:
  Services(const std::vector<ServiceSpec>& specs, Target& target, Journal& journal,
           Recorder& recorder, std::string log_dir);
  ~Services();

  // Starts each service in plan order and waits for it to be ready. Stops early when
  // `aborted()` turns true or a service fails.
  Status start_all(const std::function<bool()>& aborted);
  // From now on a service that exits is restarted by its policy (faults are expected
  // to kill it); before this, an exit fails the drill. Call it right before the first
  // fault acts. Returns the failure of a service that exited (or could not start) before;
  // an exit is judged under the same lock, so none can slip in between.
  std::optional<std::string> expect_exits();
  // Why the drill must stop because of a service (it exited before faults began), or
  // nullopt. Cheap and lock-free enough to poll from any wait.
  std::optional<std::string> failure() const;
  // The running process of a service, or an error when it is down.
  Result<ProcessId> current(const std::string& name) const;
  // Stops every service, last started first. Errors name the services left running.
  Status stop_all();
  int restarts() const;
  const std::string& log_dir() const { return log_dir_; }

 private:
  struct Running;
  void supervise(Running& running);
  Status wait_ready(Running& running, const std::function<bool()>& aborted);
  Status prove_identity(const Running& running, const Endpoint& endpoint);
  Status stop(Running& running);
  void fail(const std::string& message);
  // fail(message()) unless exits are expected by now; returns whether it failed.
  bool fail_before_faults(const std::function<std::string()>& message);
  std::string log_path(const ServiceSpec& spec) const;

  Target& target_;
  Journal& journal_;
  Recorder& recorder_;
  std::string log_dir_;
  std::vector<std::unique_ptr<Running>> running_;
  mutable std::mutex failure_mutex_;  // never held while calling the recorder
  bool exits_expected_ = false;       // under failure_mutex_
  std::atomic<bool> failed_{false};   // set under failure_mutex_; read without it
  std::string failure_;
};

// The last `lines` lines of a service log, redacted, each at most 200 bytes.
std::string log_tail(const std::string& path, int lines = 5);

}  // namespace faultline
