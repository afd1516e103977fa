#pragma once
// What both backends share: the ledger table, the SQL that reads and writes it (the same
// statements, with each dialect's placeholders), and how a NewEntry becomes a row.
#include <string>
#include <vector>

#include "reports/store/record_store.h"

namespace faultline {

enum class StoreDialect { sqlite, postgresql };

// Entries read per query while scanning.
constexpr int kScanBatch = 2000;

// Creates the ledger table and its indexes when missing (idempotent). The chain index
// (unique prev_hash) makes a fork impossible even for an appender that skipped the lock.
std::string store_schema_sql(StoreDialect dialect);

// INSERT of one row: parameter 1 is seq, 2.. are insert_values(), in order.
std::string insert_sql(StoreDialect dialect);
std::vector<std::string> insert_values(const LedgerEntry& entry);

// The 13 columns in LedgerEntry order (seq first), filtered by `query`: parameter 1 is
// the seq to read after, 2.. are `values`. At most kScanBatch rows, in seq order.
struct ScanSql {
  std::string text;
  std::vector<std::string> values;
};
ScanSql scan_sql(const EntryQuery& query, StoreDialect dialect);

// A row to seal: `fresh`'s fields at position `seq`, appended at `appended_at`.
LedgerEntry entry_from(const NewEntry& fresh, int64_t seq, const std::string& appended_at);

}  // namespace faultline
