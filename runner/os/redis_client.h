#pragma once
// The local target's Redis client (hiredis 0.14): a connection made with a deadline (a
// non-blocking connect polled until then), commands bounded by a deadline each, and the
// one-exchange call Target::redis makes. Messages never hold the password.
#include <memory>
#include <vector>

#include "runner/core/redis.h"

struct redisContext;

namespace faultline {

class RedisConnection {
 public:
  // Connects and, when `password` is set, authenticates; fails (timed_out when the
  // deadline passed) saying why.
  static Result<RedisConnection> open(const std::string& host, int port,
                                      const std::string& password, MonoTime deadline);

  // One command; an error reply is a reply. An I/O failure or a timeout is an error,
  // and leaves the connection broken() (hiredis cannot resynchronise a half-read reply).
  Result<RedisReply> command(const std::vector<std::string>& words, MonoTime deadline);
  bool broken() const { return broken_; }
  // "host:port" (IPv6 in brackets).
  const std::string& server() const { return where_; }

 private:
  struct Closer {
    void operator()(redisContext* context) const;
  };
  RedisConnection(redisContext* context, std::string where, Millis timeout)
      : context_(context), where_(std::move(where)), timeout_(timeout) {}
  std::unique_ptr<redisContext, Closer> context_;
  std::string where_;
  Millis timeout_;  // for messages: the limit the caller gave
  bool broken_ = false;
};

Result<std::vector<RedisReply>> redis_exchange(const RedisRequest& request);

}  // namespace faultline
