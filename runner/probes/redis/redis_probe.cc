#include "runner/probes/redis/redis_probe.h"

#include "runner/core/redis.h"
#include "runner/probes/probes.h"

namespace faultline {
namespace {

std::string words(const std::vector<std::string>& command) {
  std::string out;
  for (const auto& word : command) out += (out.empty() ? "" : " ") + word;
  return out;
}

struct RedisProbeConfig {
  std::optional<Endpoint> address;  // else ask the Sentinels
  std::vector<Endpoint> sentinels;
  std::string master_name;
  std::vector<std::string> command;
  std::optional<std::string> expect;
  std::string password;
  Millis timeout{1000};
};

class RedisProbe final : public Probe {
 public:
  explicit RedisProbe(RedisProbeConfig config) : config_(std::move(config)) {}

  std::string describe() const override {
    std::string where = config_.address
                            ? config_.address->describe()
                            : "the master '" + config_.master_name + "' (" +
                                  std::to_string(config_.sentinels.size()) + " Sentinel(s))";
    return words(config_.command) + " on " + where;
  }
  std::optional<Endpoint> endpoint() const override { return config_.address; }

  ProbeOutcome check(Target& target) const override {
    MonoTime deadline = MonoClock::now() + config_.timeout;
    Endpoint server;
    if (config_.address) {
      server = *config_.address;
    } else {
      auto master =
          ask_sentinels_for_master(target, config_.sentinels, config_.master_name, config_.timeout);
      if (!master.ok()) return {false, probe_detail(master.error().message)};
      server = *master;
    }
    // At a fixed address the whole timeout is the exchange's, so that its message
    // names the probe's own figure.
    Millis left = config_.address ? config_.timeout
                                  : std::chrono::duration_cast<Millis>(deadline - MonoClock::now());
    if (left.count() <= 0) return {false, "no time left after asking Sentinel"};
    RedisRequest request{server.host, server.port, config_.password, {}, left};
    // A client that found the master through Sentinel checks that it still is one: a
    // Sentinel may name a master that was demoted a moment ago.
    if (!config_.address) request.commands.push_back({"ROLE"});
    request.commands.push_back(config_.command);
    auto replies = target.redis(request);
    if (!replies.ok()) return {false, probe_detail(replies.error().message)};
    if (!config_.address) {
      const RedisReply& role = replies->front();
      std::string name = role.elements.empty() ? role.describe() : role.elements[0].text;
      if (name != "master") {
        return {false, probe_detail(server.describe() + " is not a master (ROLE: " + name + ")")};
      }
    }
    const RedisReply& reply = replies->back();
    std::string got = reply.describe();
    if (reply.is_error()) return {false, probe_detail(got + " from " + server.describe())};
    if (config_.expect && got != *config_.expect) {
      return {false, probe_detail("expected '" + *config_.expect + "', got '" + got + "' from " +
                                  server.describe())};
    }
    return {true, probe_detail(got + " from " + server.describe())};
  }

 private:
  RedisProbeConfig config_;
};

class RedisProbeType final : public ProbeType {
 public:
  std::string name() const override { return "redis"; }
  std::string summary() const override {
    return "One Redis command on a fresh connection, to `address` or to the master that "
           "`sentinels` name; passes on the `expect`ed reply (default: any reply but an error).";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"address", ParamKind::string, false, nullptr, "host:port of the server", {}},
        {"sentinels",
         ParamKind::string_list,
         false,
         nullptr,
         "host:port of each Sentinel, asked in turn for the master (instead of address)",
         {}},
        {"master_name", ParamKind::string, false, "mymaster", "the master's name in Sentinel", {}},
        {"command",
         ParamKind::string_list,
         false,
         Json::array({"PING"}),
         "the command and its arguments",
         {}},
        {"expect",
         ParamKind::string,
         false,
         nullptr,
         "the reply as redis-cli prints it (\"PONG\", \"OK\", \"(integer) 1\")",
         {}},
        {"password",
         ParamKind::string,
         false,
         nullptr,
         "sent with AUTH; use ${env:NAME}: it is never logged or recorded",
         {}},
        {"timeout",
         ParamKind::duration,
         false,
         1000,
         "for the whole check: asking Sentinel, connecting, every command",
         {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    RedisProbeConfig config;
    bool has_address = params.has("address");
    bool has_sentinels = params.has("sentinels");
    if (has_address == has_sentinels) {
      return Error{ErrorCode::invalid, "give exactly one of address and sentinels",
                   has_address ? "sentinels" : "address"};
    }
    if (has_address) {
      auto address = parse_endpoint(params.text("address"));
      if (!address.ok()) return Error{ErrorCode::invalid, address.error().message, "address"};
      config.address = *address;
    }
    for (const auto& text : params.strings("sentinels")) {
      auto sentinel = parse_endpoint(text);
      if (!sentinel.ok()) return Error{ErrorCode::invalid, sentinel.error().message, "sentinels"};
      config.sentinels.push_back(*sentinel);
    }
    if (has_sentinels && config.sentinels.empty()) {
      return Error{ErrorCode::invalid, "sentinels must name at least one host:port", "sentinels"};
    }
    config.master_name = params.text("master_name");
    if (config.master_name.empty()) {
      return Error{ErrorCode::invalid, "master_name must not be empty", "master_name"};
    }
    config.command = params.strings("command");
    if (config.command.empty() || config.command.front().empty()) {
      return Error{ErrorCode::invalid, "command must name a Redis command", "command"};
    }
    if (params.has("expect")) config.expect = params.text("expect");
    config.password = params.text("password");
    config.timeout = params.duration("timeout");
    if (config.timeout.count() <= 0) {
      return Error{ErrorCode::invalid, "timeout must be positive", "timeout"};
    }
    return std::unique_ptr<Probe>(std::make_unique<RedisProbe>(std::move(config)));
  }
};

}  // namespace

std::unique_ptr<ProbeType> make_redis_probe_type() { return std::make_unique<RedisProbeType>(); }

}  // namespace faultline
