#pragma once
// PostgreSQL through libpq with millisecond deadlines: the connect is non-blocking
// (PQconnectStart/PQconnectPoll with poll()), since libpq's connect_timeout counts whole
// seconds, and so is the query. Multi-host connection strings and
// target_session_attrs=read-write work as libpq does them. Messages never hold the
// connection string, only the hosts and ports libpq names (no password).
#include <memory>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/result.h"
#include "runner/core/sql.h"

struct pg_conn;

namespace faultline {

// One open connection. Not thread-safe: one thread uses it at a time. Closed on
// destruction.
class PgConnection {
 public:
  // Fails (timed_out when the deadline passed) with libpq's reason for every host tried.
  static Result<PgConnection> open(const std::string& conninfo, MonoTime deadline);

  // Runs `sql` with `params` as $1, $2, ... (text); one statement. A failed statement
  // is an error carrying the server's message; a broken connection too (then
  // broken() is true and the caller reconnects). On timeout the connection is closed.
  Result<SqlResult> query(const std::string& sql, const std::vector<std::string>& params,
                          MonoTime deadline);
  bool broken() const;
  // "host:port" of the server this connection reached.
  std::string server() const;

 private:
  struct Closer {
    void operator()(pg_conn* connection) const;
  };
  explicit PgConnection(pg_conn* connection) : connection_(connection) {}
  std::unique_ptr<pg_conn, Closer> connection_;
};

// Connects, runs one query, closes: what Target::sql does on this host.
Result<SqlResult> sql_query(const SqlRequest& request);

// The connection string as it may be shown: its keywords in libpq's order, with the
// password (and any other secret-bearing keyword) left out; an error when libpq cannot
// parse it (the message says why, without quoting the string).
Result<std::string> describe_conninfo(const std::string& conninfo);

}  // namespace faultline
