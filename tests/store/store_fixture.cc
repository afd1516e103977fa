#include "tests/store/store_fixture.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "tests/support/postgres_server.h"

namespace faultline::testing {

std::string test_backend() {
  const char* backend = std::getenv("FAULTLINE_TEST_BACKEND");
  return backend && std::string(backend) == "postgresql" ? "postgresql" : "sqlite";
}

TestStore::TestStore(const TempDir& dir) : postgres_(test_backend() == "postgresql") {
  location_ = postgres_ ? shared_postgres().fresh_database() : dir.file("store/records.db");
}

std::unique_ptr<RecordStore> TestStore::open() const {
  auto store = open_record_store(location_, StoreOpening::create_if_missing);
  INFO((store ? "" : store.error().message));
  REQUIRE(store.ok());
  return std::move(*store);
}

std::string TestStore::sql(const std::string& statement) const {
  if (postgres_) {
    std::string database = location_.substr(location_.rfind('/') + 1);
    return shared_postgres().sql(database, statement);
  }
  auto run = run_command(Command({"sqlite3", "-bail", location_, statement}), Millis(60000));
  REQUIRE(run.ok());
  INFO(statement << "\n" << run->err);
  REQUIRE(run->exit_code == 0);
  return run->out;
}

Json sample_record(const std::string& id, const std::string& plan, const std::string& verdict,
                   const std::string& started_at) {
  bool passed = verdict == "passed";
  return Json{
      {"schema", "faultline.record/v2"},
      {"id", id},
      {"plan", {{"name", plan}, {"sha256", std::string(64, 'a')}}},
      {"host", "test-host"},
      {"operator", "tester"},
      {"started_at", started_at},
      {"ended_at", started_at},
      {"duration_ms", 1000},
      {"verdict", verdict},
      {"exit_code", passed ? 0 : 1},
      {"objectives",
       {{"rto",
         {{"target_ms", 5000},
          {"achieved_ms", passed ? 1200 : 7000},
          {"met", passed},
          {"status", passed ? "met" : "missed"}}},
        {"availability",
         {{"target_percent", 90}, {"achieved_percent", 95.5}, {"met", true}, {"status", "met"}}}}},
  };
}

std::string sql_literal(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

std::string update_row_sql(const LedgerEntry& entry) {
  return fmt::format(
      "UPDATE ledger SET kind = {}, subject = {}, plan = {}, verdict = {}, started_at = {}, "
      "appended_at = {}, summary = {}, body = {}, body_sha256 = {}, prev_hash = {}, hash = {}, "
      "mac = {} WHERE seq = {};",
      sql_literal(entry.kind), sql_literal(entry.subject), sql_literal(entry.plan),
      sql_literal(entry.verdict), sql_literal(entry.started_at), sql_literal(entry.appended_at),
      sql_literal(entry.summary), sql_literal(entry.body), sql_literal(entry.body_sha256),
      sql_literal(entry.prev_hash), sql_literal(entry.hash), sql_literal(entry.mac), entry.seq);
}

std::vector<LedgerEntry> all_entries(RecordStore& store) {
  std::vector<LedgerEntry> entries;
  REQUIRE(store
              .scan(EntryQuery{},
                    [&](const LedgerEntry& entry) {
                      entries.push_back(entry);
                      return true;
                    })
              .ok());
  return entries;
}

}  // namespace faultline::testing
