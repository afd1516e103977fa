#pragma once
// Turns SIGINT/SIGTERM/SIGHUP into a StopRequest the engine polls, so that a signal never
// interrupts a rollback half-way. Construct it on the main thread before any other
// thread starts: it blocks the signals for the whole process and waits for them on a
// thread of its own.
#include <atomic>
#include <thread>

#include "runner/engine/engine.h"

namespace faultline {

class SignalWatcher {
 public:
  explicit SignalWatcher(StopRequest& request);
  ~SignalWatcher();

 private:
  StopRequest& request_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace faultline
