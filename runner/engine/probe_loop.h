#pragma once
// Runs the steady-state probes in rounds on their own thread. A round runs every probe
// (concurrently when there are several) and passes when all pass. The next round
// starts one interval after the previous one started, or at once when the previous
// one took longer than the interval — so an outage's end is seen within one interval.
#include <atomic>
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
  // Finishes the round in progress, then returns.
  void stop();

 private:
  void run();
  Round run_round();

  const SteadyState& steady_state_;
  Target& target_;
  Recorder& recorder_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
};

// Runs one probe and times it.
ProbeSample run_probe(const ProbeSpec& spec, Target& target);

}  // namespace faultline
