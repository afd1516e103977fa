#include "runner/workload/ledger.h"

#include <algorithm>
#include <map>

#include "runner/engine/measure.h"

namespace faultline {

LedgerMeasurement measure_ledger(const std::vector<LedgerWrite>& writes,
                                 const LedgerReadBack& read_back, double writer_started_ms) {
  LedgerMeasurement m;
  std::map<uint64_t, int64_t> copies;
  for (uint64_t seq : read_back.seqs) ++copies[seq];
  std::map<uint64_t, const LedgerWrite*> sent;
  for (const auto& write : writes) {
    if (write.attempts > 0) sent[write.seq] = &write;
  }
  for (const auto& [seq, count] : copies) {
    m.duplicates += count - 1;
    if (!sent.count(seq)) m.unexpected += count;
  }
  std::optional<double> first_ack_by_survivor;
  for (const auto& [seq, write] : sent) {
    if (write->acked_ms && write->acked_by == read_back.server) {
      first_ack_by_survivor =
          std::min(first_ack_by_survivor.value_or(*write->acked_ms), *write->acked_ms);
    }
  }
  std::vector<const LedgerWrite*> lost, survived;
  for (const auto& [seq, write] : sent) {
    ++m.attempted;
    bool present = copies.count(seq) > 0;
    if (!write->acked_ms) {
      if (write->in_doubt) {
        ++m.in_doubt;
        m.in_doubt_survived += present ? 1 : 0;
      }
      continue;
    }
    ++m.acknowledged;
    if (first_ack_by_survivor && write->acked_by != read_back.server &&
        *write->acked_ms > *first_ack_by_survivor) {
      ++m.split_brain_writes;
    }
    (present ? survived : lost).push_back(write);
    if (present) {
      ++m.surviving;
    } else {
      ++m.lost;
      if (m.lost_seqs.size() < kMaxListed) m.lost_seqs.push_back(seq);
    }
  }
  if (lost.empty()) {
    m.rpo_ms = 0;
    return m;
  }
  auto by_ack = [](const LedgerWrite* a, const LedgerWrite* b) {
    return *a->acked_ms < *b->acked_ms;
  };
  m.oldest_lost_ack_ms = *(*std::min_element(lost.begin(), lost.end(), by_ack))->acked_ms;
  m.newest_lost_ack_ms = *(*std::max_element(lost.begin(), lost.end(), by_ack))->acked_ms;
  double reference = writer_started_ms;
  for (const LedgerWrite* write : survived) {
    if (*write->acked_ms < *m.oldest_lost_ack_ms) {
      reference = std::max(reference, *write->acked_ms);
      m.last_safe_ack_ms =
          std::max(m.last_safe_ack_ms.value_or(*write->acked_ms), *write->acked_ms);
    }
  }
  m.rpo_ms = *m.newest_lost_ack_ms - reference;
  return m;
}

Json ledger_measurement_json(const LedgerMeasurement& m) {
  return Json{{"attempted", m.attempted},
              {"acknowledged", m.acknowledged},
              {"surviving", m.surviving},
              {"lost", m.lost},
              {"duplicates", m.duplicates},
              {"unexpected", m.unexpected},
              {"in_doubt", m.in_doubt},
              {"in_doubt_survived", m.in_doubt_survived},
              {"split_brain_writes", m.split_brain_writes},
              {"rpo_ms", json_number(m.rpo_ms)},
              {"oldest_lost_ack_ms", json_number(m.oldest_lost_ack_ms)},
              {"newest_lost_ack_ms", json_number(m.newest_lost_ack_ms)},
              {"last_safe_ack_ms", json_number(m.last_safe_ack_ms)},
              {"lost_seqs", m.lost_seqs}};
}

}  // namespace faultline
