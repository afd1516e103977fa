// The embedded record store: one SQLite file (WAL mode), no server. Appenders serialize on
// SQLite's write lock (BEGIN IMMEDIATE), waiting up to a minute for each other.
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>

#include "reports/store/ledger.h"
#include "reports/store/store_backends.h"
#include "reports/store/store_schema.h"
#include "runner/core/time.h"
#include "runner/os/files.h"

namespace faultline {
namespace {

constexpr int kBusyTimeoutMs = 60000;

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
      statement_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return statement_ != nullptr; }
  void bind(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  void bind(int index, int64_t value) { sqlite3_bind_int64(statement_, index, value); }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() { return sqlite3_step(statement_); }
  std::string text(int column) const {
    const unsigned char* value = sqlite3_column_text(statement_, column);
    int length = sqlite3_column_bytes(statement_, column);
    return value ? std::string(reinterpret_cast<const char*>(value), length) : std::string();
  }
  int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
  std::string error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

class SqliteStore : public RecordStore {
 public:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  Status open(StoreOpening opening) {
    std::error_code ec;
    if (opening == StoreOpening::existing_only && !std::filesystem::exists(path_, ec)) {
      return Error{ErrorCode::not_found,
                   fmt::format("there is no record store at {} (no drill has been recorded "
                               "there; --store or FAULTLINE_STORE names another)",
                               describe())};
    }
    std::filesystem::path parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) {
      if (Status made = make_directories(parent.string()); !made) return made;
    }
    if (sqlite3_open_v2(path_.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      return failure("cannot open");
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // FULL: an appended entry survives a crash of the machine.
    if (Status set = run("PRAGMA synchronous=FULL"); !set) return set;
    auto exists = has_ledger();
    if (!exists) return exists.error();
    if (*exists) return {};
    // The schema is made once; a reader never changes a store it was asked to check.
    if (opening == StoreOpening::existing_only) {
      return Error{ErrorCode::not_found,
                   fmt::format("there is no ledger in the record store {}", describe())};
    }
    if (Status made = run("BEGIN IMMEDIATE;" + store_schema_sql(StoreDialect::sqlite) + "COMMIT;");
        !made) {
      return made;
    }
    // WAL (kept in the file): readers never block the appender, nor it them. Should a
    // racing opener keep it from switching now, the store works as well, only with
    // readers and the appender taking turns; a later creator never retries it.
    (void)run("PRAGMA journal_mode=WAL");
    return {};
  }

  std::string describe() const override { return "sqlite:" + path_; }

  Result<LedgerEntry> append(const NewEntry& fresh, const std::string& key) override {
    if (Status begun = run("BEGIN IMMEDIATE"); !begun) return begun.error();
    auto appended = append_locked(fresh, key);
    if (!appended) {
      (void)run("ROLLBACK");
      return appended;
    }
    if (Status committed = run("COMMIT"); !committed) {
      (void)run("ROLLBACK");
      return committed.error();
    }
    return appended;
  }

  Status scan(const EntryQuery& query,
              const std::function<bool(const LedgerEntry&)>& visit) override {
    ScanSql sql = scan_sql(query, StoreDialect::sqlite);
    int64_t after = 0;
    for (;;) {
      Statement select(db_, sql.text);
      if (!select.ok()) return failure("cannot read");
      select.bind(1, after);
      for (size_t i = 0; i < sql.values.size(); ++i) {
        select.bind(static_cast<int>(i + 2), sql.values[i]);
      }
      int rows = 0, status;
      while ((status = select.step()) == SQLITE_ROW) {
        ++rows;
        LedgerEntry entry = read_row(select);
        after = entry.seq;
        if (!visit(entry)) return {};
      }
      if (status != SQLITE_DONE) return failure("cannot read");
      if (rows < kScanBatch) return {};
    }
  }

  Result<int64_t> count() override {
    Statement select(db_, "SELECT count(*) FROM ledger");
    if (!select.ok() || select.step() != SQLITE_ROW) return failure("cannot count").error();
    return select.integer(0);
  }

 private:
  Result<LedgerEntry> append_locked(const NewEntry& fresh, const std::string& key) {
    Statement last(db_, "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1");
    if (!last.ok()) return failure("cannot read").error();
    int64_t seq = 0;
    std::string prev = kGenesisHash;
    int status = last.step();
    if (status == SQLITE_ROW) {
      seq = last.integer(0);
      prev = last.text(1);
    } else if (status != SQLITE_DONE) {
      return failure("cannot read").error();
    }
    LedgerEntry entry = entry_from(fresh, seq + 1, utc_iso8601(WallClock::now()));
    seal_entry(entry, prev, key);
    Statement insert(db_, insert_sql(StoreDialect::sqlite));
    if (!insert.ok()) return failure("cannot append to").error();
    insert.bind(1, entry.seq);
    std::vector<std::string> values = insert_values(entry);
    for (size_t i = 0; i < values.size(); ++i) insert.bind(static_cast<int>(i + 2), values[i]);
    if (insert.step() != SQLITE_DONE) return failure("cannot append to").error();
    return entry;
  }

  Result<bool> has_ledger() {
    Statement exists(db_,
                     "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                     "name = 'ledger'");
    if (!exists.ok() || exists.step() != SQLITE_ROW) return failure("cannot read").error();
    return exists.integer(0) == 1;
  }

  static LedgerEntry read_row(const Statement& row) {
    LedgerEntry entry;
    entry.seq = row.integer(0);
    std::string* fields[] = {&entry.kind,        &entry.subject,     &entry.plan,    &entry.verdict,
                             &entry.started_at,  &entry.appended_at, &entry.summary, &entry.body,
                             &entry.body_sha256, &entry.prev_hash,   &entry.hash,    &entry.mac};
    for (int i = 0; i < 12; ++i) *fields[i] = row.text(i + 1);
    return entry;
  }

  Status run(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return {};
    std::string reason = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return Error{fmt::format("record store {}: {}", describe(), reason)};
  }

  Status failure(const std::string& what) const {
    return Error{fmt::format("{} record store {}: {}", what, describe(),
                             db_ ? sqlite3_errmsg(db_) : "out of memory")};
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<RecordStore>> open_sqlite_store(const std::string& path,
                                                       StoreOpening opening) {
  auto store = std::make_unique<SqliteStore>(path);
  if (Status opened = store->open(opening); !opened) return opened.error();
  return std::unique_ptr<RecordStore>(std::move(store));
}

}  // namespace faultline
