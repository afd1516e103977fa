// The Redis write ledger: each seq RPUSHed to the list `<key>:<drill id>` on the master,
// found as the application finds it (a fixed address, or asking Sentinel and checking
// ROLE), on one connection kept until it breaks; read back with LRANGE on a fresh one.
// A list, not a set, so that a write applied twice shows up as a duplicate.
#include "runner/workload/redis_ledger.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "runner/core/target.h"
#include "runner/os/local_target.h"
#include "runner/os/redis_client.h"

namespace faultline {
namespace {

struct RedisLedgerConfig {
  std::optional<Endpoint> address;
  std::vector<Endpoint> sentinels;
  std::string master_name;
  std::string password;
  std::string key;
};

Result<RedisLedgerConfig> read_config(const Params& params) {
  RedisLedgerConfig config;
  if (params.has("address") == params.has("sentinels")) {
    return Error{ErrorCode::invalid, "give exactly one of address and sentinels", "address"};
  }
  if (params.has("address")) {
    auto address = parse_endpoint(params.text("address"));
    if (!address.ok()) return Error{ErrorCode::invalid, address.error().message, "address"};
    config.address = *address;
  }
  for (const auto& text : params.strings("sentinels")) {
    auto sentinel = parse_endpoint(text);
    if (!sentinel.ok()) return Error{ErrorCode::invalid, sentinel.error().message, "sentinels"};
    config.sentinels.push_back(*sentinel);
  }
  if (params.has("sentinels") && config.sentinels.empty()) {
    return Error{ErrorCode::invalid, "sentinels must name at least one host:port", "sentinels"};
  }
  config.master_name = params.text("master_name");
  config.password = params.text("password");
  config.key = params.text("key");
  if (config.key.empty()) return Error{ErrorCode::invalid, "key must not be empty", "key"};
  return config;
}

class RedisLedgerStore final : public LedgerStore {
 public:
  RedisLedgerStore(RedisLedgerConfig config, const std::string& drill_id)
      : config_(std::move(config)), list_(config_.key + ":" + drill_id) {}

  Status prepare(Millis timeout) override {
    MonoTime deadline = MonoClock::now() + timeout;
    auto connection = connect(deadline);
    if (!connection.ok()) return connection.error().with_context("ledger");
    connection_.emplace(std::move(*connection));
    return {};
  }

  WriteOutcome write(uint64_t seq, Millis timeout) override {
    MonoTime deadline = MonoClock::now() + timeout;
    WriteOutcome outcome;
    if (!connection_ || connection_->broken()) {
      connection_.reset();
      auto connection = connect(deadline);
      if (!connection.ok()) {
        outcome.error = connection.error().message;
        return outcome;
      }
      connection_.emplace(std::move(*connection));
    }
    auto pushed = connection_->command({"RPUSH", list_, std::to_string(seq)}, deadline);
    if (pushed.ok() && pushed->kind == RedisReply::Kind::integer) {
      outcome.acknowledged = true;
      outcome.server = connection_->server();
      return outcome;
    }
    if (pushed.ok()) {
      // Refused by the server (READONLY: it was demoted): not applied. A client asks
      // Sentinel again on its next write.
      outcome.error = connection_->server() + ": " + pushed->describe();
      connection_.reset();
      return outcome;
    }
    // Sent, then the connection failed or the answer never came: it may have been applied.
    outcome.error = pushed.error().message;
    outcome.in_doubt = true;
    connection_.reset();
    return outcome;
  }

  Result<LedgerReadBack> read_back(Millis timeout) override {
    MonoTime deadline = MonoClock::now() + timeout;
    auto connection = connect(deadline);
    if (!connection.ok()) return connection.error().with_context("ledger read back");
    auto items = connection->command({"LRANGE", list_, "0", "-1"}, deadline);
    if (!items.ok()) return items.error().with_context("ledger read back");
    if (items->kind != RedisReply::Kind::array) {
      return Error{"ledger read back: LRANGE answered " + items->describe()};
    }
    LedgerReadBack back;
    back.server = connection->server();
    for (const auto& item : items->elements) {
      uint64_t seq = 0;
      auto [end, problem] =
          std::from_chars(item.text.data(), item.text.data() + item.text.size(), seq);
      if (problem != std::errc() || end != item.text.data() + item.text.size()) continue;
      back.seqs.push_back(seq);
    }
    return back;
  }

  int64_t connects() const override { return connects_; }

 private:
  // The master as the application finds it: the address, or what the Sentinels name, which
  // must then say it is a master.
  Result<RedisConnection> connect(MonoTime deadline) {
    Endpoint server;
    if (config_.address) {
      server = *config_.address;
    } else {
      // Asked as the redis probe and redis.failover ask (runner/core/redis.h).
      auto left = std::chrono::duration_cast<Millis>(deadline - MonoClock::now());
      auto master = ask_sentinels_for_master(*local_, config_.sentinels, config_.master_name,
                                             std::max(left, Millis(1)));
      if (!master.ok()) return master.error();
      server = *master;
    }
    auto connection = RedisConnection::open(server.host, server.port, config_.password, deadline);
    if (!connection.ok()) return connection.error();
    ++connects_;
    if (!config_.address) {
      auto role = connection->command({"ROLE"}, deadline);
      if (!role.ok()) return role.error();
      std::string name = role->elements.empty() ? role->describe() : role->elements[0].text;
      if (name != "master") {
        return Error{connection->server() + " is not a master (ROLE: " + name + ")"};
      }
    }
    return connection;
  }

  RedisLedgerConfig config_;
  std::string list_;
  std::shared_ptr<Target> local_ = make_local_target();
  std::optional<RedisConnection> connection_;
  int64_t connects_ = 0;
};

class RedisLedgerType final : public LedgerType {
 public:
  std::string name() const override { return "redis"; }
  const Schema& schema() const override {
    static const Schema schema{{
        {"address", ParamKind::string, false, nullptr, "host:port of the master", {}},
        {"sentinels",
         ParamKind::string_list,
         false,
         nullptr,
         "host:port of each Sentinel, asked for the master as a client would",
         {}},
        {"master_name", ParamKind::string, false, "mymaster", "the master's name in Sentinel", {}},
        {"password", ParamKind::string, false, nullptr, "AUTH; use ${env:NAME}", {}},
        {"key",
         ParamKind::string,
         false,
         "faultline:ledger",
         "the ledger list is KEY:<drill id>",
         {}},
    }};
    return schema;
  }
  Status check(const Params& params) const override {
    auto config = read_config(params);
    if (!config.ok()) return config.error();
    return {};
  }
  std::string describe(const Params& params) const override {
    std::string where = params.has("address")
                            ? params.text("address")
                            : "the master '" + params.text("master_name") + "' (Sentinel)";
    return "redis list " + params.text("key") + ":<drill> on " + where;
  }
  std::unique_ptr<LedgerStore> open(const Params& params,
                                    const std::string& drill_id) const override {
    auto config = read_config(params);
    return std::make_unique<RedisLedgerStore>(config.ok() ? *config : RedisLedgerConfig{},
                                              drill_id);
  }
};

}  // namespace

const LedgerType& redis_ledger_type() {
  static const RedisLedgerType type;
  return type;
}

}  // namespace faultline
