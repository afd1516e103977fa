#include "reports/store/store_schema.h"

#include <fmt/format.h>

namespace faultline {
namespace {

constexpr const char* kColumns =
    "kind, subject, plan, verdict, started_at, appended_at, summary, body, body_sha256, "
    "prev_hash, hash, mac";

std::string placeholder(StoreDialect dialect, size_t index) {
  return (dialect == StoreDialect::sqlite ? "?" : "$") + std::to_string(index);
}

}  // namespace

std::string store_schema_sql(StoreDialect dialect) {
  std::string seq = dialect == StoreDialect::sqlite ? "INTEGER" : "BIGINT";
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS ledger ("
      "seq {} PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, plan TEXT NOT NULL, "
      "verdict TEXT NOT NULL, started_at TEXT NOT NULL, appended_at TEXT NOT NULL, "
      "summary TEXT NOT NULL, body TEXT NOT NULL, body_sha256 TEXT NOT NULL, "
      "prev_hash TEXT NOT NULL, hash TEXT NOT NULL, mac TEXT NOT NULL);"
      "CREATE UNIQUE INDEX IF NOT EXISTS ledger_chain ON ledger (prev_hash);"
      "CREATE INDEX IF NOT EXISTS ledger_plan ON ledger (plan, seq);"
      "CREATE INDEX IF NOT EXISTS ledger_kind ON ledger (kind, seq);"
      "CREATE INDEX IF NOT EXISTS ledger_subject ON ledger (subject, seq);",
      seq);
}

std::string insert_sql(StoreDialect dialect) {
  std::string values = placeholder(dialect, 1);
  for (size_t i = 2; i <= 13; ++i) values += ", " + placeholder(dialect, i);
  return fmt::format("INSERT INTO ledger (seq, {}) VALUES ({})", kColumns, values);
}

std::vector<std::string> insert_values(const LedgerEntry& entry) {
  return {entry.kind,        entry.subject,     entry.plan,    entry.verdict,
          entry.started_at,  entry.appended_at, entry.summary, entry.body,
          entry.body_sha256, entry.prev_hash,   entry.hash,    entry.mac};
}

ScanSql scan_sql(const EntryQuery& query, StoreDialect dialect) {
  ScanSql sql;
  std::string where = "seq > " + placeholder(dialect, 1);
  auto filter = [&](const std::string& value, const std::string& condition) {
    if (value.empty()) return;
    sql.values.push_back(value);
    where += " AND " + condition + " " + placeholder(dialect, sql.values.size() + 1);
  };
  filter(query.kind, "kind =");
  filter(query.subject, "subject =");
  filter(query.plan, "plan =");
  filter(query.verdict, "verdict =");
  filter(query.since, "started_at >=");
  filter(query.until, "started_at <");
  std::string columns = kColumns;
  if (!query.with_bodies) columns.replace(columns.find("body,"), 5, "'' AS body,");
  sql.text = fmt::format("SELECT seq, {} FROM ledger WHERE {} ORDER BY seq LIMIT {}", columns,
                         where, kScanBatch);
  return sql;
}

LedgerEntry entry_from(const NewEntry& fresh, int64_t seq, const std::string& appended_at) {
  LedgerEntry entry;
  entry.seq = seq;
  entry.kind = fresh.kind;
  entry.subject = fresh.subject;
  entry.plan = fresh.plan;
  entry.verdict = fresh.verdict;
  entry.started_at = fresh.started_at;
  entry.appended_at = appended_at;
  entry.summary = fresh.summary;
  entry.body = fresh.body;
  return entry;
}

}  // namespace faultline
