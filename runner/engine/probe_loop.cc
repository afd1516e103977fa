#include "runner/engine/probe_loop.h"

#include <future>

namespace faultline {

ProbeSample run_probe(const ProbeSpec& spec, Target& target) {
  MonoTime started = MonoClock::now();
  ProbeOutcome outcome = spec.probe->check(target);
  return ProbeSample{spec.name, outcome.ok, elapsed_ms(started, MonoClock::now()), outcome.detail};
}

void ProbeLoop::start() { thread_ = std::thread([this] { run(); }); }

void ProbeLoop::stop() {
  stopping_ = true;
  sleep_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Round ProbeLoop::run_round() {
  Round round;
  round.phase = recorder_.phase();
  round.started_ms = recorder_.now_ms();
  const auto& probes = steady_state_.probes;
  std::vector<std::future<ProbeSample>> others;
  for (size_t i = 1; i < probes.size(); ++i) {
    others.push_back(std::async(std::launch::async, [&, i] { return run_probe(probes[i], target_); }));
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
  while (!stopping_) {
    MonoTime started = MonoClock::now();
    recorder_.add_round(run_round());
    next = std::max(started + steady_state_.interval, MonoClock::now());
    std::unique_lock lock(sleep_mutex_);
    sleep_cv_.wait_until(lock, next, [this] { return stopping_.load(); });
  }
}

}  // namespace faultline
