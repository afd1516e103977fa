#include "runner/workload/ledger_writer.h"

#include "runner/core/secrets.h"

namespace faultline {

LedgerWriter::LedgerWriter(std::unique_ptr<LedgerStore> store, int rate_per_second,
                           Millis write_timeout, MonoTime origin)
    : store_(std::move(store)),
      period_(std::max<int64_t>(1, 1000000 / std::max(1, rate_per_second))),
      write_timeout_(write_timeout),
      origin_(origin) {}

LedgerWriter::~LedgerWriter() { stop(); }

Status LedgerWriter::start(Millis timeout) {
  if (Status ready = store_->prepare(timeout); !ready) return ready;
  started_ms_ = elapsed_ms(origin_, MonoClock::now());
  thread_ = std::thread([this] {
    try {
      loop();
    } catch (const std::exception& problem) {
      std::lock_guard lock(counters_mutex_);
      counters_.last_error = std::string("the writer stopped: ") + problem.what();
    }
  });
  return {};
}

void LedgerWriter::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

WriterCounters LedgerWriter::counters() const {
  std::lock_guard lock(counters_mutex_);
  WriterCounters copy = counters_;
  copy.connects = store_->connects();
  return copy;
}

void LedgerWriter::loop() {
  uint64_t seq = 1;
  MonoTime next = MonoClock::now();
  writes_.reserve(64 * 1024);
  while (!stopping_) {
    std::this_thread::sleep_until(next);
    if (stopping_) break;
    MonoTime sent = MonoClock::now();
    if (writes_.empty() || writes_.back().seq != seq) {
      writes_.push_back(LedgerWrite{seq, elapsed_ms(origin_, sent), 0, std::nullopt, "", false});
    }
    LedgerWrite& write = writes_.back();
    ++write.attempts;
    WriteOutcome outcome = store_->write(seq, write_timeout_);
    if (outcome.acknowledged) {
      write.acked_ms = elapsed_ms(origin_, MonoClock::now());
      write.acked_by = outcome.server;
      ++seq;
    } else {
      write.in_doubt |= outcome.in_doubt;
      std::lock_guard lock(counters_mutex_);
      ++counters_.errors;
      counters_.last_error = redacted_excerpt(outcome.error, 200);
    }
    // A fixed rate: the next tick, or now when a slow write made us miss it (no burst).
    next += period_;
    MonoTime now = MonoClock::now();
    if (next < now) next = now;
  }
}

}  // namespace faultline
