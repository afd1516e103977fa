#pragma once
// SQL as faults and probes see it: one query on a fresh connection, made through a
// Target (Target::sql). The connection string is libpq's (key=value or a postgresql://
// URI), multi-host lists and `target_session_attrs=read-write` included. A password in it
// is never put into a message: errors name hosts and ports, never the string itself.
#include <optional>
#include <string>
#include <vector>

#include "runner/core/duration.h"

namespace faultline {

struct SqlRequest {
  std::string conninfo;
  std::string query;
  // For the whole exchange (connect, every host tried, the query), in milliseconds:
  // libpq's own connect_timeout counts whole seconds only.
  Millis timeout{1000};
};

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt = SQL NULL
  std::string command_status;                                 // "SELECT 1", "INSERT 0 1"
  std::string server;  // "host:port" of the server that answered
};

}  // namespace faultline
