#include "runner/os/pg_client.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace faultline {
namespace {

// libpq's messages end in a newline and may span lines ("\tIs the server running...").
std::string pq_message(const char* text) {
  std::string message = text == nullptr ? "" : text;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::replace(message.begin(), message.end(), '\t', ' ');
  return message.empty() ? "unknown libpq error" : message;
}

// Waits until `fd` is ready for `events` or the deadline passes; false on timeout.
Result<bool> wait_socket(int fd, short events, MonoTime deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<Millis>(deadline - MonoClock::now()).count();
    if (left <= 0) return false;
    pollfd entry{fd, events, 0};
    int rc = ::poll(&entry, 1, static_cast<int>(std::min<long long>(left, 60000)));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return Error{std::string("poll: ") + std::strerror(errno)};
  }
}

// libpq prints server notices, and errors that arrive on an idle connection ("terminating
// connection due to unexpected postmaster exit"), to stderr; a drill's output is its own.
void drop_notice(void*, const char*) {}

Error deadline_error(const char* what) {
  return Error{ErrorCode::timed_out, std::string(what) + ": timed out"};
}

}  // namespace

void PgConnection::Closer::operator()(pg_conn* connection) const { PQfinish(connection); }

Result<PgConnection> PgConnection::open(const std::string& conninfo, MonoTime deadline) {
  PgConnection result(PQconnectStart(conninfo.c_str()));
  PGconn* connection = result.connection_.get();
  if (connection == nullptr) return Error{"out of memory starting a libpq connection"};
  if (PQstatus(connection) == CONNECTION_BAD) {
    return Error{"cannot connect: " + pq_message(PQerrorMessage(connection))};
  }
  PQsetNoticeProcessor(connection, &drop_notice, nullptr);
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  for (;;) {
    if (state == PGRES_POLLING_OK) break;
    if (state == PGRES_POLLING_FAILED) {
      return Error{"cannot connect: " + pq_message(PQerrorMessage(connection))};
    }
    // The socket may change between calls: libpq moves on to the next host.
    short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    auto ready = wait_socket(PQsocket(connection), events, deadline);
    if (!ready.ok()) return ready.error();
    if (!*ready) {
      std::string so_far = pq_message(PQerrorMessage(connection));
      return Error{ErrorCode::timed_out,
                   "cannot connect: timed out" +
                       (so_far == "unknown libpq error" ? "" : " (" + so_far + ")")};
    }
    state = PQconnectPoll(connection);
  }
  if (PQsetnonblocking(connection, 1) != 0) {
    return Error{"cannot make the connection non-blocking: " +
                 pq_message(PQerrorMessage(connection))};
  }
  return result;
}

bool PgConnection::broken() const { return PQstatus(connection_.get()) != CONNECTION_OK; }

std::string PgConnection::server() const {
  const char* host = PQhost(connection_.get());
  const char* port = PQport(connection_.get());
  return std::string(host ? host : "?") + ":" + (port ? port : "?");
}

Result<SqlResult> PgConnection::query(const std::string& sql,
                                      const std::vector<std::string>& params, MonoTime deadline) {
  PGconn* connection = connection_.get();
  if (connection == nullptr) return Error{"query: the connection is closed"};
  std::vector<const char*> values;
  for (const auto& value : params) values.push_back(value.c_str());
  int sent = params.empty()
                 ? PQsendQuery(connection, sql.c_str())
                 : PQsendQueryParams(connection, sql.c_str(), static_cast<int>(values.size()),
                                     nullptr, values.data(), nullptr, nullptr, 0);
  if (sent == 0) return Error{"cannot send the query: " + pq_message(PQerrorMessage(connection))};
  int socket = PQsocket(connection);
  for (;;) {  // flush what is queued
    int flushed = PQflush(connection);
    if (flushed == 0) break;
    if (flushed < 0)
      return Error{"cannot send the query: " + pq_message(PQerrorMessage(connection))};
    auto ready = wait_socket(socket, POLLOUT | POLLIN, deadline);
    if (!ready.ok()) return ready.error();
    if (!*ready) {
      connection_.reset();  // broken() from now on
      return deadline_error("query");
    }
    if (PQconsumeInput(connection) == 0) {
      return Error{"cannot send the query: " + pq_message(PQerrorMessage(connection))};
    }
  }
  SqlResult answer;
  answer.server = server();
  std::optional<Error> failure;
  for (;;) {
    while (PQisBusy(connection)) {
      auto ready = wait_socket(socket, POLLIN, deadline);
      if (!ready.ok()) return ready.error();
      if (!*ready) {
        // The server may still run it; closing tells it the client is gone.
        connection_.reset();
        return deadline_error("query");
      }
      if (PQconsumeInput(connection) == 0) {
        return Error{"query failed: " + pq_message(PQerrorMessage(connection))};
      }
    }
    PGresult* result = PQgetResult(connection);
    if (result == nullptr) break;
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      answer.command_status = PQcmdStatus(result);
      answer.columns.clear();
      answer.rows.clear();
      for (int column = 0; column < PQnfields(result); ++column) {
        answer.columns.emplace_back(PQfname(result, column));
      }
      for (int row = 0; row < PQntuples(result); ++row) {
        std::vector<std::optional<std::string>> cells;
        for (int column = 0; column < PQnfields(result); ++column) {
          if (PQgetisnull(result, row, column)) {
            cells.emplace_back(std::nullopt);
          } else {
            cells.emplace_back(std::string(PQgetvalue(result, row, column),
                                           static_cast<size_t>(PQgetlength(result, row, column))));
          }
        }
        answer.rows.push_back(std::move(cells));
      }
    } else if (!failure) {
      failure = Error{"query failed: " + pq_message(PQresultErrorMessage(result))};
    }
    PQclear(result);
  }
  if (failure) return *failure;
  return answer;
}

Result<SqlResult> sql_query(const SqlRequest& request) {
  MonoTime deadline = MonoClock::now() + request.timeout;
  auto connection = PgConnection::open(request.conninfo, deadline);
  if (!connection.ok()) return connection.error();
  return connection->query(request.query, {}, deadline);
}

Result<std::string> describe_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string message = error ? pq_message(error) : "out of memory";
    PQfreemem(error);
    return Error{ErrorCode::invalid, "not a libpq connection string: " + message};
  }
  std::string text;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    std::string keyword = option->keyword;
    // dispchar "*" marks a password field; sslpassword and passfile are secrets too.
    bool secret = (option->dispchar && std::string(option->dispchar) == "*") ||
                  keyword.find("password") != std::string::npos || keyword == "passfile";
    if (secret) continue;
    if (!text.empty()) text += ' ';
    text += keyword + "=" + option->val;
  }
  PQconninfoFree(options);
  return text;
}

}  // namespace faultline
