#pragma once
// The ledger writer: one thread writing sequence numbers 1, 2, 3, ... through a
// LedgerStore at a fixed rate, before, during and after the faults, logging when each
// was sent and acknowledged (and by which server). A number not acknowledged is retried
// at the next tick, as an at-least-once client would; the rate never bursts to catch up.
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runner/core/duration.h"
#include "runner/workload/ledger_store.h"

namespace faultline {

struct WriterCounters {
  int64_t errors = 0;  // attempts that were not acknowledged
  std::string last_error;
  int64_t connects = 0;
};

class LedgerWriter {
 public:
  // `origin` is the drill's time base (offsets are ms since it).
  LedgerWriter(std::unique_ptr<LedgerStore> store, int rate_per_second, Millis write_timeout,
               MonoTime origin);
  ~LedgerWriter();  // stops the thread
  LedgerWriter(const LedgerWriter&) = delete;
  LedgerWriter& operator=(const LedgerWriter&) = delete;

  // Prepares the store (within `timeout`) and starts writing; fails when the ledger cannot
  // be prepared (the database is not there: the drill should not start).
  Status start(Millis timeout);
  // Stops after the write in progress (at most one write timeout).
  void stop();
  double started_ms() const { return started_ms_; }
  // After stop(): the log, and the store for reading back.
  const std::vector<LedgerWrite>& writes() const { return writes_; }
  // After stop().
  WriterCounters counters() const;
  LedgerStore& store() { return *store_; }

 private:
  void loop();

  std::unique_ptr<LedgerStore> store_;
  std::chrono::microseconds period_;
  Millis write_timeout_;
  MonoTime origin_;
  double started_ms_ = 0;
  std::vector<LedgerWrite> writes_;  // the thread's until stop() joins it
  mutable std::mutex counters_mutex_;
  WriterCounters counters_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace faultline
