#pragma once
// RPO from a write ledger (DESIGN.md "Measurement, defined"): what the writer logged
// and what survived, turned into lost, duplicated and unexpected rows and the achieved
// RPO. Pure functions with no clock or I/O: the unit tests feed them synthetic ledgers.
// Times are milliseconds since the drill started, on the monotonic clock.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/json.h"

namespace faultline {

// One sequence number as the writer handled it (it retries a number until it is
// acknowledged, as an at-least-once client does).
struct LedgerWrite {
  uint64_t seq = 0;
  double first_sent_ms = 0;
  int attempts = 0;
  std::optional<double> acked_ms;  // when the acknowledgement arrived; nullopt: never
  std::string acked_by;            // "host:port" of the server that acknowledged it
  // An attempt got no answer (timeout, connection lost after sending): the server may
  // have applied it. Such a row surviving is not unexpected, and a retry may duplicate it.
  bool in_doubt = false;
};

struct LedgerReadBack {
  std::vector<uint64_t> seqs;  // every surviving row's sequence number, repeats included
  std::string server;          // "host:port" that answered the read back
};

struct LedgerMeasurement {
  int64_t attempted = 0;          // sequence numbers the writer sent at least once
  int64_t acknowledged = 0;       // ... and got an acknowledgement for
  int64_t surviving = 0;          // acknowledged and read back
  int64_t lost = 0;               // acknowledged and missing
  int64_t duplicates = 0;         // surplus copies of a sequence number (2 copies = 1 duplicate)
  int64_t unexpected = 0;         // rows read back that no write ever sent
  int64_t in_doubt = 0;           // never acknowledged, but maybe applied
  int64_t in_doubt_survived = 0;  // of those, read back
  // Acknowledged by a server other than the one read back, after that one had already
  // acknowledged a write: two primaries took writes at once (split brain).
  int64_t split_brain_writes = 0;
  // Ack time of the newest lost write - ack time of the newest surviving write
  // acknowledged before the oldest lost write (the writer's start when there is none);
  // 0 when nothing acknowledged was lost.
  std::optional<double> rpo_ms;
  std::optional<double> oldest_lost_ack_ms;
  std::optional<double> newest_lost_ack_ms;
  std::optional<double> last_safe_ack_ms;  // the newest surviving ack before the oldest lost
  std::vector<uint64_t> lost_seqs;         // the first kMaxListed, in order
};

constexpr size_t kMaxListed = 50;

// `writes` in any order; `writer_started_ms` is when the writer began (the reference when
// no write survived before the first lost one).
LedgerMeasurement measure_ledger(const std::vector<LedgerWrite>& writes,
                                 const LedgerReadBack& read_back, double writer_started_ms);

Json ledger_measurement_json(const LedgerMeasurement& measurement);

}  // namespace faultline
