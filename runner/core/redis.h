#pragma once
// Redis as faults and probes see it: a short exchange on a fresh connection, made
// through a Target (Target::redis), plus the pure helpers both need (addresses, replies,
// INFO fields, asking Sentinels for the master). A password given here is sent with AUTH
// and never appears in a message, a reply description or an error.
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/result.h"

namespace faultline {

class Target;
struct Endpoint;

struct RedisReply {
  enum class Kind { status, error, string, integer, nil, array };
  Kind kind = Kind::nil;
  std::string text;  // status, error and string replies; an integer in decimal
  long long integer = 0;
  std::vector<RedisReply> elements;  // array replies

  bool is_error() const { return kind == Kind::error; }
  // The reply as redis-cli would print it on one line: "PONG", "(error) READONLY ...",
  // "(nil)", "(integer) 3", "[a, b]".
  std::string describe() const;
};

struct RedisRequest {
  std::string host;
  int port = 0;
  std::string password;  // when set, AUTH is sent first (its reply is not returned)
  std::vector<std::vector<std::string>> commands;  // sent in order on one connection
  Millis timeout{1000};  // for the whole exchange: connect, AUTH and every command
};

// "host:port" (an IPv6 host in brackets: "[::1]:6379"); the error names the value.
Result<Endpoint> parse_endpoint(const std::string& text);

// One field of an INFO reply ("role" -> "master"); "" when absent.
std::string info_field(const std::string& info, const std::string& field);

// Asks each Sentinel in turn for the address of master `name` (SENTINEL
// get-master-addr-by-name) and returns the first answer; the error says what each
// Sentinel said. `timeout` bounds the whole search.
Result<Endpoint> ask_sentinels_for_master(Target& target, const std::vector<Endpoint>& sentinels,
                                          const std::string& name, Millis timeout);

}  // namespace faultline
