#pragma once
// Collects the drill's timeline and probe rounds (thread-safe) and lets the engine
// wait for conditions on the rounds (baseline held, steady state restored). Every
// event and every finished round is stamped under one lock, so the timeline, and what
// observers see, is in time order whichever thread it came from.
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
  // The time base every offset counts from.
  MonoTime origin() const { return started_; }
  double ms_at(MonoTime when) const { return elapsed_ms(started_, when); }
  MonoTime started() const { return started_; }

  // Returns the event as recorded (with its time). `detail` is redacted.
  TimelineEvent event(const std::string& kind, const std::string& name, const std::string& detail,
                      bool ok = true);
  // Rounds may finish out of order (they overlap); each gets its index when it starts,
  // and rounds() only ever holds a gap-free prefix in start order. A round's ended_ms
  // is stamped when it is added. A probe whose state differs from its previous sample
  // (in the order samples finished) adds a "probe" event to the timeline.
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
  TimelineEvent append_event_locked(const std::string& kind, const std::string& name,
                                    const std::string& detail, bool ok);

  MonoTime started_;
  DrillObserver& observer_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Round> rounds_;
  std::map<int, Round> finished_early_;  // finished before an earlier-started round
  int next_round_index_ = 0;
  std::vector<TimelineEvent> timeline_;
  std::map<std::string, bool> probe_ok_;  // each probe's last state, in finishing order
  std::string phase_ = "preflight";
};

}  // namespace faultline
