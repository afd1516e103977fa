// The RPO measurement from a write ledger (runner/workload/ledger.h), on synthetic ledgers
// with exact expected figures.
#include "runner/workload/ledger.h"

#include <catch2/catch.hpp>

using namespace faultline;

namespace {

LedgerWrite acked(uint64_t seq, double at, const std::string& by = "a:1") {
  return LedgerWrite{seq, at - 1, 1, at, by, false};
}

}  // namespace

TEST_CASE("nothing lost: rpo 0, every acknowledged write survives") {
  std::vector<LedgerWrite> writes{acked(1, 10), acked(2, 20), acked(3, 30)};
  auto m = measure_ledger(writes, {{1, 2, 3}, "a:1"}, 0);
  CHECK(m.acknowledged == 3);
  CHECK(m.surviving == 3);
  CHECK(m.lost == 0);
  CHECK(m.rpo_ms == 0);
  CHECK(m.duplicates == 0);
  CHECK(m.unexpected == 0);
}

TEST_CASE("rpo runs from the newest surviving ack before the first loss to the newest lost ack") {
  // 1-3 replicated, 4-6 acknowledged by the old primary and lost; 7-8 by the new one.
  std::vector<LedgerWrite> writes{acked(1, 100),        acked(2, 105),       acked(3, 110),
                                  acked(4, 115),        acked(5, 120),       acked(6, 125),
                                  acked(7, 900, "b:2"), acked(8, 905, "b:2")};
  auto m = measure_ledger(writes, {{1, 2, 3, 7, 8}, "b:2"}, 50);
  CHECK(m.lost == 3);
  CHECK(m.lost_seqs == std::vector<uint64_t>{4, 5, 6});
  CHECK(m.oldest_lost_ack_ms == 115);
  CHECK(m.newest_lost_ack_ms == 125);
  CHECK(m.last_safe_ack_ms == 110);
  CHECK(m.rpo_ms == 15);
  CHECK(m.split_brain_writes == 0);
}

TEST_CASE("with no surviving write before the first loss, rpo counts from the writer's start") {
  std::vector<LedgerWrite> writes{acked(1, 100), acked(2, 130)};
  auto m = measure_ledger(writes, {{}, "b:2"}, 40);
  CHECK(m.lost == 2);
  CHECK(m.rpo_ms == 90);
  CHECK_FALSE(m.last_safe_ack_ms.has_value());
}

TEST_CASE("duplicates, unexpected rows, in-doubt writes and split brain are counted apart") {
  LedgerWrite doubtful{3, 29, 2, std::nullopt, "", true};  // sent, never answered
  LedgerWrite refused{4, 39, 1, std::nullopt, "", false};  // refused: not applied
  std::vector<LedgerWrite> writes{acked(1, 10, "b:2"), acked(2, 20, "b:2"), doubtful, refused,
                                  acked(5, 50, "a:1")};  // old primary acks after b took writes
  auto m = measure_ledger(writes, {{1, 2, 2, 2, 3, 99}, "b:2"}, 0);
  CHECK(m.attempted == 5);
  CHECK(m.acknowledged == 3);
  CHECK(m.duplicates == 2);
  CHECK(m.unexpected == 1);
  CHECK(m.in_doubt == 1);
  CHECK(m.in_doubt_survived == 1);
  CHECK(m.split_brain_writes == 1);
  CHECK(m.lost == 1);
  CHECK(m.rpo_ms == 30);  // 50 (lost) - 20 (newest safe before it)
}
