#pragma once
// Runs the steady-state probes in rounds. A round runs every probe (concurrently when
// there are several) and passes when all pass. A round starts every interval, whether
// or not earlier rounds have finished: a round stuck on a frozen server until its
// timeout must not delay the round that sees the server answer again, so the end of an
// outage is seen within one interval (plus the server's own catch-up), not within the
// probe timeout. At most SteadyState::rounds_in_flight() rounds run at once.
#include <atomic>
#include <list>
#include <thread>

#include "runner/engine/recorder.h"
#include "runner/plan/plan.h"

namespace faultline {

class ProbeLoop {
 public:
  ProbeLoop(const SteadyState& steady_state, Target& target, Recorder& recorder)
      : steady_state_(steady_state), target_(target), recorder_(recorder) {}
  ~ProbeLoop() { stop(); }

  void start();
  // Waits for the rounds in flight to finish, then returns.
  void stop();

 private:
  void run();
  Round run_round(int index);
  Round failed_round(int index, const std::string& why);

  const SteadyState& steady_state_;
  Target& target_;
  Recorder& recorder_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  struct Flight {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<Flight> flights_;  // a list: a running thread holds a pointer to its Flight
  std::atomic<size_t> running_rounds_{0};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
};

// Runs one probe and times it.
ProbeSample run_probe(const ProbeSpec& spec, Target& target);

}  // namespace faultline
