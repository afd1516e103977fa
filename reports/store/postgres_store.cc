// The shared record store: PostgreSQL through libpq, for many runners writing one history.
// Appenders serialize on a table lock that readers do not wait for (SHARE ROW EXCLUSIVE).
// Messages name the server as host:port/dbname and user, never the password.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>

#include "reports/store/ledger.h"
#include "reports/store/store_backends.h"
#include "reports/store/store_schema.h"
#include "runner/core/time.h"

namespace faultline {
namespace {

// Any fixed number: two-key advisory locks cannot collide with a one-key lock.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(20261125, 10)";

struct ResultCloser {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultCloser>;

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The URI without its password: postgresql://user@host:port/dbname.
std::string shown_uri(const std::string& uri) {
  char* problem = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &problem);
  if (!options) {
    PQfreemem(problem);
    return "postgresql://(unreadable connection string)";
  }
  std::string user, host, port, dbname;
  for (PQconninfoOption* option = options; option->keyword; ++option) {
    if (!option->val) continue;
    std::string keyword = option->keyword;
    if (keyword == "user") user = option->val;
    if (keyword == "host" || (keyword == "hostaddr" && host.empty())) host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") dbname = option->val;
  }
  PQconninfoFree(options);
  return fmt::format("postgresql://{}{}{}/{}", user.empty() ? "" : user + "@", host,
                     port.empty() ? "" : ":" + port, dbname);
}

class PostgresStore : public RecordStore {
 public:
  explicit PostgresStore(std::string uri) : uri_(std::move(uri)), shown_(shown_uri(uri_)) {}
  ~PostgresStore() override { PQfinish(connection_); }

  Status open(StoreOpening opening) {
    // The URI's own connect_timeout, if any, wins over this default.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "faultline", uri_.c_str(), nullptr};
    connection_ = PQconnectdbParams(keywords, values, 1);
    if (!connection_ || PQstatus(connection_) != CONNECTION_OK) {
      return Error{fmt::format("cannot connect to record store {}: {}", shown_,
                               trimmed(PQerrorMessage(connection_)))};
    }
    auto exists = query("SELECT to_regclass('ledger') IS NOT NULL", {});
    if (!exists) return exists.error();
    if (std::string(PQgetvalue(exists->get(), 0, 0)) == "t") return {};
    if (opening == StoreOpening::existing_only) {
      return Error{ErrorCode::not_found,
                   fmt::format("there is no record store in {} (no ledger table: no drill has "
                               "been recorded there)",
                               shown_)};
    }
    // Concurrent CREATE ... IF NOT EXISTS can still collide in PostgreSQL's catalogs.
    return transaction([&]() -> Status {
      if (auto locked = query(kSchemaLock, {}); !locked) return locked.error();
      return execute_script(store_schema_sql(StoreDialect::postgresql));
    });
  }

  std::string describe() const override { return shown_; }

  Result<LedgerEntry> append(const NewEntry& fresh, const std::string& key) override {
    LedgerEntry entry;
    Status done = transaction([&]() -> Status {
      // Blocks other appenders, not readers.
      if (auto locked = query("LOCK TABLE ledger IN SHARE ROW EXCLUSIVE MODE", {}); !locked)
        return locked.error();
      auto last = query("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1", {});
      if (!last) return last.error();
      int64_t seq = 0;
      std::string prev = kGenesisHash;
      if (PQntuples(last->get()) == 1) {
        seq = std::stoll(PQgetvalue(last->get(), 0, 0));
        prev = PQgetvalue(last->get(), 0, 1);
      }
      entry = entry_from(fresh, seq + 1, utc_iso8601(WallClock::now()));
      seal_entry(entry, prev, key);
      std::vector<std::string> values = insert_values(entry);
      values.insert(values.begin(), std::to_string(entry.seq));
      if (auto inserted = query(insert_sql(StoreDialect::postgresql), values); !inserted)
        return inserted.error();
      return {};
    });
    if (!done) return done.error();
    return entry;
  }

  Status scan(const EntryQuery& query_spec,
              const std::function<bool(const LedgerEntry&)>& visit) override {
    ScanSql sql = scan_sql(query_spec, StoreDialect::postgresql);
    int64_t after = 0;
    for (;;) {
      std::vector<std::string> values = sql.values;
      values.insert(values.begin(), std::to_string(after));
      auto rows = query(sql.text, values);
      if (!rows) return rows.error();
      int count = PQntuples(rows->get());
      for (int row = 0; row < count; ++row) {
        LedgerEntry entry = read_row(rows->get(), row);
        after = entry.seq;
        if (!visit(entry)) return {};
      }
      if (count < kScanBatch) return {};
    }
  }

  Result<int64_t> count() override {
    auto rows = query("SELECT count(*) FROM ledger", {});
    if (!rows) return rows.error();
    return std::stoll(PQgetvalue(rows->get(), 0, 0));
  }

 private:
  static LedgerEntry read_row(PGresult* rows, int row) {
    LedgerEntry entry;
    entry.seq = std::stoll(PQgetvalue(rows, row, 0));
    std::string* fields[] = {&entry.kind,        &entry.subject,     &entry.plan,    &entry.verdict,
                             &entry.started_at,  &entry.appended_at, &entry.summary, &entry.body,
                             &entry.body_sha256, &entry.prev_hash,   &entry.hash,    &entry.mac};
    for (int i = 0; i < 12; ++i) {
      fields[i]->assign(PQgetvalue(rows, row, i + 1), PQgetlength(rows, row, i + 1));
    }
    return entry;
  }

  Status transaction(const std::function<Status()>& body) {
    if (auto begun = query("BEGIN", {}); !begun) return begun.error();
    Status done = body();
    if (done) {
      if (auto committed = query("COMMIT", {}); !committed) done = committed.error();
    }
    if (!done) (void)query("ROLLBACK", {});
    return done;
  }

  Status execute_script(const std::string& script) {
    PgResult result(PQexec(connection_, script.c_str()));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) return failure(result.get());
    return {};
  }

  Result<PgResult> query(const std::string& sql, const std::vector<std::string>& values) {
    std::vector<const char*> pointers;
    for (const auto& value : values) pointers.push_back(value.c_str());
    PgResult result(PQexecParams(connection_, sql.c_str(), static_cast<int>(pointers.size()),
                                 nullptr, pointers.data(), nullptr, nullptr, 0));
    ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(result.get());
    return result;
  }

  Error failure(PGresult* result) const {
    std::string reason = trimmed(result ? PQresultErrorMessage(result) : "");
    if (reason.empty()) reason = trimmed(PQerrorMessage(connection_));
    return Error{fmt::format("record store {}: {}", shown_, reason)};
  }

  std::string uri_;
  std::string shown_;
  PGconn* connection_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<RecordStore>> open_postgres_store(const std::string& uri,
                                                         StoreOpening opening) {
  auto store = std::make_unique<PostgresStore>(uri);
  if (Status opened = store->open(opening); !opened) return opened.error();
  return std::unique_ptr<RecordStore>(std::move(store));
}

}  // namespace faultline
