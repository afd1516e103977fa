// The PostgreSQL write ledger: rows (drill, seq) in a table, inserted one statement per
// write on the application's connection string (multi-host and
// target_session_attrs=read-write included), read back on a fresh connection.
#include "runner/workload/postgres_ledger.h"

#include <cctype>

#include "runner/os/pg_client.h"

namespace faultline {
namespace {

bool plain_identifier(const std::string& name) {
  if (name.empty() || name.size() > 63 || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  }
  return true;
}

class PostgresLedgerStore final : public LedgerStore {
 public:
  PostgresLedgerStore(std::string conninfo, std::string table, std::string drill_id)
      : conninfo_(std::move(conninfo)), table_(std::move(table)), drill_id_(std::move(drill_id)) {}

  Status prepare(Millis timeout) override {
    MonoTime deadline = MonoClock::now() + timeout;
    auto connection = PgConnection::open(conninfo_, deadline);
    if (!connection.ok()) return connection.error().with_context("ledger");
    ++connects_;
    auto made = connection->query("CREATE TABLE IF NOT EXISTS " + table_ +
                                      " (drill text NOT NULL, seq bigint NOT NULL, "
                                      "written_at timestamptz NOT NULL DEFAULT now())",
                                  {}, deadline);
    if (!made.ok()) return made.error().with_context("ledger table " + table_);
    connection_.emplace(std::move(*connection));
    return {};
  }

  WriteOutcome write(uint64_t seq, Millis timeout) override {
    MonoTime deadline = MonoClock::now() + timeout;
    WriteOutcome outcome;
    if (!connection_ || connection_->broken()) {
      connection_.reset();
      auto connection = PgConnection::open(conninfo_, deadline);
      if (!connection.ok()) {
        outcome.error = connection.error().message;
        return outcome;
      }
      ++connects_;
      connection_.emplace(std::move(*connection));
    }
    auto inserted = connection_->query("INSERT INTO " + table_ + " (drill, seq) VALUES ($1, $2)",
                                       {drill_id_, std::to_string(seq)}, deadline);
    if (inserted.ok()) {
      outcome.acknowledged = true;
      outcome.server = inserted->server;
      return outcome;
    }
    outcome.error = inserted.error().message;
    // Sent, then the connection failed or the answer never came: it may have committed.
    // A statement the server refused (read-only, ...) was not applied.
    outcome.in_doubt = connection_->broken() || inserted.error().is(ErrorCode::timed_out);
    if (outcome.in_doubt) connection_.reset();
    return outcome;
  }

  Result<LedgerReadBack> read_back(Millis timeout) override {
    MonoTime deadline = MonoClock::now() + timeout;
    auto connection = PgConnection::open(conninfo_, deadline);
    if (!connection.ok()) return connection.error().with_context("ledger read back");
    auto rows =
        connection->query("SELECT seq FROM " + table_ + " WHERE drill = $1", {drill_id_}, deadline);
    if (!rows.ok()) return rows.error().with_context("ledger read back");
    LedgerReadBack back;
    back.server = rows->server;
    for (const auto& row : rows->rows) {
      if (row.empty() || !row[0]) continue;
      back.seqs.push_back(std::stoull(*row[0]));
    }
    return back;
  }

  int64_t connects() const override { return connects_; }

 private:
  std::string conninfo_;
  std::string table_;
  std::string drill_id_;
  std::optional<PgConnection> connection_;
  int64_t connects_ = 0;
};

class PostgresLedgerType final : public LedgerType {
 public:
  std::string name() const override { return "postgres"; }
  const Schema& schema() const override {
    static const Schema schema{{
        {"conninfo",
         ParamKind::string,
         true,
         nullptr,
         "the application's libpq connection string (several hosts with "
         "target_session_attrs=read-write follow the primary)",
         {}},
        {"table",
         ParamKind::string,
         false,
         "faultline_ledger",
         "table for the ledger rows (created when missing); lower-case letters, digits, _",
         {}},
    }};
    return schema;
  }
  Status check(const Params& params) const override {
    auto shown = describe_conninfo(params.text("conninfo"));
    if (!shown.ok()) return Error{ErrorCode::invalid, shown.error().message, "conninfo"};
    if (!plain_identifier(params.text("table"))) {
      return Error{ErrorCode::invalid,
                   "table must be a plain name: lower-case letters, digits and _, at most 63",
                   "table"};
    }
    return {};
  }
  std::string describe(const Params& params) const override {
    auto shown = describe_conninfo(params.text("conninfo"));
    return "postgres table " + params.text("table") + " on " + (shown.ok() ? *shown : "?");
  }
  std::unique_ptr<LedgerStore> open(const Params& params,
                                    const std::string& drill_id) const override {
    return std::make_unique<PostgresLedgerStore>(params.text("conninfo"), params.text("table"),
                                                 drill_id);
  }
};

}  // namespace

const LedgerType& postgres_ledger_type() {
  static const PostgresLedgerType type;
  return type;
}

}  // namespace faultline
