#include "runner/os/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace faultline {
namespace {

struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

RedisReply convert(const redisReply& raw) {
  RedisReply reply;
  switch (raw.type) {
    case REDIS_REPLY_STATUS:
      reply.kind = RedisReply::Kind::status;
      break;
    case REDIS_REPLY_ERROR:
      reply.kind = RedisReply::Kind::error;
      break;
    case REDIS_REPLY_STRING:
      reply.kind = RedisReply::Kind::string;
      break;
    case REDIS_REPLY_INTEGER:
      reply.kind = RedisReply::Kind::integer;
      reply.integer = raw.integer;
      reply.text = std::to_string(raw.integer);
      return reply;
    case REDIS_REPLY_ARRAY:
      reply.kind = RedisReply::Kind::array;
      for (size_t i = 0; i < raw.elements; ++i) reply.elements.push_back(convert(*raw.element[i]));
      return reply;
    default:
      reply.kind = RedisReply::Kind::nil;
      return reply;
  }
  if (raw.str != nullptr) reply.text.assign(raw.str, static_cast<size_t>(raw.len));
  return reply;
}

Millis left_until(MonoTime deadline) {
  return std::chrono::duration_cast<Millis>(deadline - MonoClock::now());
}

timeval to_timeval(Millis left) {
  if (left.count() < 1) left = Millis(1);
  return timeval{static_cast<time_t>(left.count() / 1000),
                 static_cast<suseconds_t>((left.count() % 1000) * 1000)};
}

// hiredis 0.14 reports a read that hit SO_RCVTIMEO as an I/O error with EAGAIN ("Resource
// temporarily unavailable"), and a connect past its limit as ETIMEDOUT ("Connection timed
// out"); both mean the deadline passed.
Error context_error(const redisContext& context, const std::string& where, Millis timeout) {
  std::string text = context.errstr;
  bool timed_out = context.err == REDIS_ERR_IO &&
                   (errno == EAGAIN || errno == ETIMEDOUT || errno == EINPROGRESS ||
                    text.find("timed out") != std::string::npos ||
                    text.find("temporarily unavailable") != std::string::npos);
  if (timed_out) {
    return Error{ErrorCode::timed_out, where + ": no answer within " + format_duration(timeout)};
  }
  if (text.empty()) text = std::strerror(errno);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Error{where + ": " + text};
}

}  // namespace

void RedisConnection::Closer::operator()(redisContext* context) const { redisFree(context); }

Result<RedisConnection> RedisConnection::open(const std::string& host, int port,
                                              const std::string& password, MonoTime deadline) {
  std::string where = "redis " + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                      ":" + std::to_string(port);
  // Rounded up: a caller that set a 300 ms deadline a moment ago reads "300ms" in messages.
  Millis timeout = std::max(std::chrono::ceil<Millis>(deadline - MonoClock::now()), Millis(1));
  errno = 0;
  redisContext* raw = redisConnectWithTimeout(host.c_str(), port, to_timeval(timeout));
  if (raw == nullptr) return Error{where + ": out of memory"};
  RedisConnection connection(raw, where, timeout);
  if (raw->err) return context_error(*raw, where, timeout);
  if (!password.empty()) {
    auto auth = connection.command({"AUTH", password}, deadline);
    if (!auth.ok()) return auth.error();
    // The server's own words only ("WRONGPASS invalid username-password pair"): never
    // the password.
    if (auth->is_error()) return Error{where + ": AUTH refused: " + auth->text};
  }
  return connection;
}

Result<RedisReply> RedisConnection::command(const std::vector<std::string>& words,
                                            MonoTime deadline) {
  if (words.empty()) return Error{ErrorCode::invalid, where_ + ": empty command"};
  if (broken_) return Error{where_ + ": the connection is broken"};
  if (left_until(deadline).count() <= 0) {
    return Error{ErrorCode::timed_out, where_ + ": no answer within " + format_duration(timeout_)};
  }
  if (redisSetTimeout(context_.get(), to_timeval(left_until(deadline))) != REDIS_OK) {
    broken_ = true;
    return context_error(*context_, where_, timeout_);
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& word : words) {
    argv.push_back(word.data());
    lengths.push_back(word.size());
  }
  errno = 0;
  ReplyPtr raw(static_cast<redisReply*>(redisCommandArgv(
      context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!raw) {
    broken_ = true;
    return context_error(*context_, where_, timeout_);
  }
  return convert(*raw);
}

Result<std::vector<RedisReply>> redis_exchange(const RedisRequest& request) {
  MonoTime deadline = MonoClock::now() + request.timeout;
  auto connection = RedisConnection::open(request.host, request.port, request.password, deadline);
  if (!connection.ok()) return connection.error();
  std::vector<RedisReply> replies;
  for (const auto& command : request.commands) {
    auto reply = connection->command(command, deadline);
    if (!reply.ok()) return reply.error();
    replies.push_back(std::move(*reply));
  }
  return replies;
}

}  // namespace faultline
