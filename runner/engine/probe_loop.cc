#include "runner/engine/probe_loop.h"

#include <future>

namespace faultline {

ProbeSample run_probe(const ProbeSpec& spec, Target& target) {
  MonoTime started = MonoClock::now();
  ProbeOutcome outcome;
  // A probe runs on a thread of its own: an exception escaping it would end the runner
  // with faults injected. It is a failed check instead.
  try {
    outcome = spec.probe->check(target);
  } catch (const std::exception& problem) {
    outcome = {false, std::string("internal error in probe: ") + problem.what()};
  }
  return ProbeSample{spec.name, outcome.ok, elapsed_ms(started, MonoClock::now()), outcome.detail};
}

void ProbeLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void ProbeLoop::stop() {
  {
    // Under the lock, so the loop cannot miss the wake-up between its check and its wait.
    std::lock_guard lock(sleep_mutex_);
    stopping_ = true;
  }
  sleep_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Round ProbeLoop::failed_round(int index, const std::string& why) {
  Round round;
  round.index = index;
  round.phase = recorder_.phase();
  round.started_ms = recorder_.now_ms();
  round.ok = false;
  for (const auto& probe : steady_state_.probes) {
    round.samples.push_back(ProbeSample{probe.name, false, 0, "internal error: " + why});
  }
  return round;
}

Round ProbeLoop::run_round(int index) {
  Round round;
  round.index = index;
  round.phase = recorder_.phase();
  round.started_ms = recorder_.now_ms();
  const auto& probes = steady_state_.probes;
  std::vector<std::future<ProbeSample>> others;
  for (size_t i = 1; i < probes.size(); ++i) {
    others.push_back(
        std::async(std::launch::async, [&, i] { return run_probe(probes[i], target_); }));
  }
  round.samples.push_back(run_probe(probes[0], target_));
  for (auto& other : others) round.samples.push_back(other.get());
  round.ended_ms = recorder_.now_ms();
  round.ok = true;
  for (const auto& sample : round.samples) round.ok = round.ok && sample.ok;
  return round;
}

void ProbeLoop::run() {
  MonoTime next = MonoClock::now();
  int skipped = 0;  // scheduled rounds not started because max_in_flight were waiting
  while (!stopping_) {
    const size_t limit = static_cast<size_t>(steady_state_.rounds_in_flight());
    if (running_rounds_ >= limit) {
      // Said once when it starts and once when it ends, so that a gap in the rounds can
      // be told apart from a stalled runner.
      if (skipped++ == 0) {
        recorder_.event("note", "probes",
                        "rounds held back: " + std::to_string(limit) +
                            " rounds are still waiting for answers (max_in_flight)",
                        false);
      }
    } else {
      if (skipped > 0) {
        recorder_.event("note", "probes",
                        "rounds resume after " + std::to_string(skipped) + " were held back");
        skipped = 0;
      }
      int index = recorder_.begin_round();
      ++running_rounds_;
      Flight& flight = flights_.emplace_back();
      try {
        flight.thread = std::thread([this, index, &flight] {
          Round round;
          // Nothing may escape a thread body: it would end the runner with faults injected.
          try {
            round = run_round(index);
          } catch (const std::exception& problem) {
            round = failed_round(index, problem.what());
          }
          recorder_.add_round(std::move(round));
          --running_rounds_;
          flight.done = true;
        });
      } catch (const std::exception& problem) {
        // No thread for this round (the machine is out of threads): it still counts, as
        // a failed round, or every later round would wait for it forever.
        recorder_.add_round(failed_round(index, problem.what()));
        --running_rounds_;
        flight.done = true;
      }
    }
    // Keep to the schedule; after a stall (a slow machine), start again from now.
    next = std::max(next + steady_state_.interval, MonoClock::now());
    std::unique_lock lock(sleep_mutex_);
    sleep_cv_.wait_until(lock, next, [this] { return stopping_.load(); });
    lock.unlock();
    // Join the rounds that are done, so threads do not pile up over a long drill.
    flights_.remove_if([](Flight& flight) {
      if (!flight.done) return false;
      flight.thread.join();
      return true;
    });
  }
  for (auto& flight : flights_) flight.thread.join();
  flights_.clear();
}

}  // namespace faultline
