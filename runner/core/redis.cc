#include "runner/core/redis.h"

#include <charconv>

#include "runner/core/target.h"

namespace faultline {

std::string RedisReply::describe() const {
  switch (kind) {
    case Kind::status:
    case Kind::string:
      return text;
    case Kind::error:
      return "(error) " + text;
    case Kind::integer:
      return "(integer) " + std::to_string(integer);
    case Kind::nil:
      return "(nil)";
    case Kind::array: {
      std::string out = "[";
      for (const auto& element : elements) {
        out += (out.size() > 1 ? ", " : "") + element.describe();
      }
      return out + "]";
    }
  }
  return "";
}

Result<Endpoint> parse_endpoint(const std::string& text) {
  std::string host;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error{ErrorCode::invalid, "'" + text + "' is not [IPv6]:port"};
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      return Error{ErrorCode::invalid, "'" + text + "' is not host:port"};
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  int port = 0;
  auto [end, problem] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (host.empty() || problem != std::errc() || end != port_text.data() + port_text.size() ||
      port < 1 || port > 65535) {
    return Error{ErrorCode::invalid, "'" + text + "' is not host:port (port 1-65535)"};
  }
  return Endpoint{host, port};
}

std::string info_field(const std::string& info, const std::string& field) {
  std::string key = field + ":";
  size_t at = 0;
  while (at < info.size()) {
    size_t end = info.find('\n', at);
    if (end == std::string::npos) end = info.size();
    if (info.compare(at, key.size(), key) == 0) {
      std::string value = info.substr(at + key.size(), end - at - key.size());
      if (!value.empty() && value.back() == '\r') value.pop_back();
      return value;
    }
    at = end + 1;
  }
  return "";
}

Result<Endpoint> ask_sentinels_for_master(Target& target, const std::vector<Endpoint>& sentinels,
                                          const std::string& name, Millis timeout) {
  MonoTime deadline = MonoClock::now() + timeout;
  std::string said;
  for (const auto& sentinel : sentinels) {
    auto left = std::chrono::duration_cast<Millis>(deadline - MonoClock::now());
    if (left.count() <= 0) {
      said += (said.empty() ? "" : "; ") + std::string("no time left for ") + sentinel.describe();
      break;
    }
    RedisRequest request{
        sentinel.host, sentinel.port, "", {{"SENTINEL", "get-master-addr-by-name", name}}, left};
    auto replies = target.redis(request);
    std::string answer;
    if (!replies.ok()) {
      answer = replies.error().message;
    } else {
      const RedisReply& reply = replies->front();
      if (reply.kind == RedisReply::Kind::array && reply.elements.size() == 2) {
        const std::string& host = reply.elements[0].text;
        bool v6 = host.find(':') != std::string::npos;
        auto port = parse_endpoint((v6 ? "[" + host + "]" : host) + ":" + reply.elements[1].text);
        if (port.ok()) return *port;
        answer = port.error().message;
      } else {
        answer = reply.kind == RedisReply::Kind::nil ? "does not know master '" + name + "'"
                                                     : "answered " + reply.describe();
      }
    }
    said += (said.empty() ? "" : "; ") + sentinel.describe() + ": " + answer;
  }
  return Error{ErrorCode::not_found, "no Sentinel named the master '" + name + "' (" + said + ")"};
}

}  // namespace faultline
