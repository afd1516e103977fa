#pragma once
// Collects the drill's timeline and probe rounds (thread-safe) and lets the engine
// wait for conditions on the rounds (baseline held, steady state restored).
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "runner/core/duration.h"
#include "runner/engine/observer.h"

namespace faultline {

class Recorder {
 public:
  Recorder(MonoTime started, DrillObserver& observer) : started_(started), observer_(observer) {}

  double now_ms() const { return elapsed_ms(started_, MonoClock::now()); }
  double ms_at(MonoTime when) const { return elapsed_ms(started_, when); }
  MonoTime started() const { return started_; }

  // Returns the event as recorded (with its time).
  TimelineEvent event(const std::string& kind, const std::string& name, const std::string& detail,
                      bool ok = true);
  // Rounds may finish out of order (they overlap); each gets its index when it starts,
  // and rounds() only ever holds a gap-free prefix in start order. Observers see them
  // in that order too.
  int begin_round();
  void add_round(Round round);
  void set_phase(const std::string& phase);
  std::string phase() const;

  std::vector<Round> rounds() const;
  std::vector<TimelineEvent> timeline() const;

  // Waits until `done(rounds)` holds, `deadline` passes, or `stop()` is true; checked
  // whenever a round arrives or wake() is called. Returns whether `done` held.
  bool wait_for_rounds(const std::function<bool(const std::vector<Round>&)>& done,
                       MonoTime deadline, const std::function<bool()>& stop);
  void wake();

 private:
  MonoTime started_;
  DrillObserver& observer_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Round> rounds_;
  std::map<int, Round> finished_early_;  // finished before an earlier-started round
  int next_round_index_ = 0;
  std::vector<TimelineEvent> timeline_;
  std::string phase_ = "preflight";
};

}  // namespace faultline
