#pragma once
// Starts the plan's services (the system under test), restarts them by their policy,
// and always stops them at the end. Each service runs in its own process group and is
// journaled, so `faultline recover` stops it if the runner is killed.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "runner/core/journal.h"
#include "runner/engine/recorder.h"
#include "runner/plan/plan.h"

namespace faultline {

class Services {
 public:
  Services(const std::vector<ServiceSpec>& specs, Target& target, Journal& journal,
           Recorder& recorder, std::string log_dir);
  ~Services();

  // Starts each service in plan order and waits for its ready probe. Stops early when
  // `aborted()` turns true.
  Status start_all(const std::function<bool()>& aborted);
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
  Status stop(Running& running);

  Target& target_;
  Journal& journal_;
  Recorder& recorder_;
  std::string log_dir_;
  std::vector<std::unique_ptr<Running>> running_;
};

// Stops a journaled service process group (used by `faultline recover`).
Status stop_service_group(const Json& rollback);

}  // namespace faultline
