#pragma once
// The record store suite runs once per backend: ctest starts this binary with
// FAULTLINE_TEST_BACKEND=sqlite or =postgresql (tests/CMakeLists.txt), and every test
// asks fresh_store() for an empty store of that backend. PostgreSQL runs on loopback, one
// server per test process (tests/support/postgres_server.h), one database per store.
#include <memory>
#include <string>

#include "reports/store/ledger.h"
#include "runner/core/json.h"
#include "tests/support/test_support.h"

namespace faultline::testing {

class TestStore {
 public:
  explicit TestStore(const TempDir& dir);
  const std::string& location() const { return location_; }
  bool postgres() const { return postgres_; }
  // Opens it as faultline does for a drill (creating it on first use).
  std::unique_ptr<RecordStore> open() const;
  // Runs SQL on it directly, as someone tampering with it would.
  std::string sql(const std::string& statement) const;

 private:
  bool postgres_ = false;
  std::string location_;
};

// "sqlite" or "postgresql", from FAULTLINE_TEST_BACKEND (default sqlite).
std::string test_backend();

// A small drill record: objectives rto (ms) and availability (percent), a verdict.
Json sample_record(const std::string& id, const std::string& plan, const std::string& verdict,
                   const std::string& started_at);

// `text` as an SQL string literal.
std::string sql_literal(const std::string& text);

// Writes every field of `entry` over the row with its seq.
std::string update_row_sql(const LedgerEntry& entry);

// Every entry in the store, in seq order.
std::vector<LedgerEntry> all_entries(RecordStore& store);

}  // namespace faultline::testing
