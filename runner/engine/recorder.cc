#include "runner/engine/recorder.h"

#include <fmt/format.h>

#include "runner/core/secrets.h"

namespace faultline {

TimelineEvent Recorder::append_event_locked(const std::string& kind, const std::string& name,
                                            const std::string& detail, bool ok) {
  TimelineEvent event{now_ms(), WallClock::now(), kind, name, redact(detail), ok};
  timeline_.push_back(event);
  observer_.on_event(event);
  return event;
}

TimelineEvent Recorder::event(const std::string& kind, const std::string& name,
                              const std::string& detail, bool ok) {
  std::lock_guard lock(mutex_);
  return append_event_locked(kind, name, detail, ok);
}

int Recorder::begin_round() {
  std::lock_guard lock(mutex_);
  return next_round_index_++;
}

void Recorder::add_round(Round round) {
  for (auto& sample : round.samples) sample.detail = redact(sample.detail);
  {
    std::lock_guard lock(mutex_);
    round.ended_ms = now_ms();
    for (const auto& sample : round.samples) {
      auto [last, first] = probe_ok_.try_emplace(sample.probe, sample.ok);
      if (!first && last->second == sample.ok) continue;
      last->second = sample.ok;
      append_event_locked("probe", sample.probe,
                          fmt::format("{}: {} ({:.1f} ms)", sample.ok ? "ok" : "FAILING",
                                      sample.detail, sample.latency_ms),
                          sample.ok);
    }
    observer_.on_round(round);
    finished_early_.emplace(round.index, std::move(round));
    while (!finished_early_.empty() &&
           finished_early_.begin()->first == static_cast<int>(rounds_.size())) {
      rounds_.push_back(std::move(finished_early_.begin()->second));
      finished_early_.erase(finished_early_.begin());
    }
  }
  changed_.notify_all();
}

void Recorder::set_phase(const std::string& phase) {
  std::lock_guard lock(mutex_);
  phase_ = phase;
  append_event_locked("phase", phase, "", true);
}

std::string Recorder::phase() const {
  std::lock_guard lock(mutex_);
  return phase_;
}

std::vector<Round> Recorder::rounds() const {
  std::lock_guard lock(mutex_);
  return rounds_;
}

std::vector<TimelineEvent> Recorder::timeline() const {
  std::lock_guard lock(mutex_);
  return timeline_;
}

bool Recorder::wait_for_rounds(const std::function<bool(const std::vector<Round>&)>& done,
                               MonoTime deadline, const std::function<bool()>& stop) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (done(rounds_)) return true;
    if (stop() || MonoClock::now() >= deadline) return false;
    // Bounded waits, so a stop request is seen even without a notification.
    changed_.wait_until(lock, std::min(deadline, MonoClock::now() + Millis(50)));
  }
}

void Recorder::wake() { changed_.notify_all(); }

}  // namespace faultline
