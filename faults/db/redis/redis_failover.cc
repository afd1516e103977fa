#include "faults/db/redis/redis_failover.h"

#include <signal.h>

#include <charconv>
#include <thread>

#include "runner/core/json_reader.h"

namespace faultline {
namespace {

constexpr Millis kPoll{100};
// How long rollback leaves a returning old master to Sentinel before demoting it itself
// (Sentinel waits 8 s, four publish periods, before it converts a master that came back).
constexpr Millis kSentinelGrace{1000};

// host:port as parse_endpoint reads it back (IPv6 in brackets).
std::string address_text(const Endpoint& endpoint) {
  bool v6 = endpoint.host.find(':') != std::string::npos;
  return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

bool same(const Endpoint& a, const Endpoint& b) { return a.host == b.host && a.port == b.port; }

Millis left_until(MonoTime deadline) {
  return std::chrono::duration_cast<Millis>(deadline - MonoClock::now());
}

// Redis exchanges with one password and one per-exchange limit.
class RedisNodes {
 public:
  RedisNodes(Target& target, std::string password, Millis timeout)
      : target_(target), password_(std::move(password)), timeout_(timeout) {}

  Result<std::vector<RedisReply>> call(const Endpoint& node,
                                       std::vector<std::vector<std::string>> commands) const {
    return target_.redis(
        RedisRequest{node.host, node.port, password_, std::move(commands), timeout_});
  }
  // INFO <section> as text; an error reply is an error.
  Result<std::string> info(const Endpoint& node, const std::string& section) const {
    auto replies = call(node, {{"INFO", section}});
    if (!replies.ok()) return replies.error();
    if (replies->front().is_error()) {
      return Error{"redis " + address_text(node) + ": INFO " + section + ": " +
                   replies->front().text};
    }
    return replies->front().text;
  }
  std::string role(const Endpoint& node) const {
    auto text = info(node, "replication");
    return text.ok() ? info_field(*text, "role") : "";
  }
  bool answers(const Endpoint& node) const {
    auto replies = call(node, {{"PING"}});
    return replies.ok() && !replies->front().is_error();
  }
  // Sends one command and fails unless the reply is +OK.
  Status expect_ok(const Endpoint& node, std::vector<std::string> command) const {
    std::string shown = command.front() + (command.size() > 1 ? " " + command[1] : "");
    auto replies = call(node, {std::move(command)});
    if (!replies.ok()) return replies.error();
    if (replies->front().is_error()) {
      return Error{"redis " + address_text(node) + ": " + shown + ": " + replies->front().text};
    }
    return {};
  }
  Target& target() const { return target_; }
  Millis timeout() const { return timeout_; }

 private:
  Target& target_;
  std::string password_;
  Millis timeout_;
};

struct FailoverConfig {
  std::vector<Endpoint> sentinels;  // empty: no Sentinel, the fault promotes the replica
  std::string master_name;
  std::optional<Endpoint> master;   // without Sentinel
  std::optional<Endpoint> replica;  // without Sentinel
  bool kill_master = true;
  std::vector<std::string> restart;
  std::string password;
  Millis rejoin_timeout{30000};
  Millis timeout{2000};
};

// The master's own process on this target: the pid INFO gives, and the process that
// listens on its port must be the same one (a master reached through a tunnel or on
// another host is not a process here, and is refused).
Result<ProcessId> master_process(const RedisNodes& nodes, const Endpoint& master,
                                 std::string& config_file, std::string& executable) {
  auto server = nodes.info(master, "server");
  if (!server.ok()) return server.error();
  config_file = info_field(*server, "config_file");
  executable = info_field(*server, "executable");
  std::string pid_text = info_field(*server, "process_id");
  pid_t pid = 0;
  auto [end, problem] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (problem != std::errc() || pid <= 1) {
    return Error{ErrorCode::invalid, "redis " + address_text(master) +
                                         ": INFO server gives no usable process_id ('" + pid_text +
                                         "')"};
  }
  auto listener = nodes.target().listener(master.port);
  if (!listener || listener->id.pid != pid) {
    return Error{ErrorCode::refused,
                 "the master " + address_text(master) + " says it is pid " + pid_text + ", but " +
                     (listener ? "port " + std::to_string(master.port) + " is held by " +
                                     listener->describe()
                               : "no process of " + nodes.target().name() + " listens on port " +
                                     std::to_string(master.port)) +
                     "; refusing to kill a process that may not be this master"};
  }
  return listener->id;
}

class RedisFailover final : public Fault {
 public:
  explicit RedisFailover(FailoverConfig config) : config_(std::move(config)) {}

  std::string describe() const override {
    if (!config_.sentinels.empty()) return "SIGKILL the Redis master; Sentinel promotes a replica";
    std::string promote = "REPLICAOF NO ONE on " + address_text(*config_.replica);
    return config_.kill_master
               ? "SIGKILL the Redis master " + address_text(*config_.master) + ", then " + promote
               : promote + " (the master keeps running)";
  }

  Result<Json> inject(FaultContext& context) const override {
    RedisNodes nodes(context.target(), config_.password, config_.timeout);
    Endpoint master;
    if (config_.sentinels.empty()) {
      master = *config_.master;
      if (Status linked = replica_of(nodes, *config_.replica, master); !linked) {
        return linked.error();
      }
    } else {
      auto named = ask_sentinels_for_master(context.target(), config_.sentinels,
                                            config_.master_name, config_.timeout);
      if (!named.ok()) return named.error();
      master = *named;
    }
    auto replication = nodes.info(master, "replication");
    if (!replication.ok()) return replication.error();
    if (info_field(*replication, "role") != "master") {
      return Error{ErrorCode::refused, "redis " + address_text(master) + " is not a master (role " +
                                           info_field(*replication, "role") +
                                           "); a failover may be under way already"};
    }
    if (config_.kill_master && !config_.sentinels.empty() &&
        info_field(*replication, "connected_slaves") == "0") {
      return Error{ErrorCode::refused, "no replica is linked to the master " +
                                           address_text(master) +
                                           ": nothing could take over, refusing to kill it"};
    }

    Json spec{{"mode", config_.sentinels.empty() ? "manual" : "sentinel"},
              {"master_name", config_.master_name},
              {"old_master", address_text(master)},
              {"password", config_.password},
              {"rejoin_timeout_ms", config_.rejoin_timeout.count()},
              {"timeout_ms", config_.timeout.count()}};
    Json sentinels = Json::array();
    for (const auto& sentinel : config_.sentinels) sentinels.push_back(address_text(sentinel));
    spec["sentinels"] = sentinels;
    if (config_.replica) spec["new_master"] = address_text(*config_.replica);
    if (!config_.restart.empty()) spec["restart"] = config_.restart;

    std::optional<ProcessId> victim;
    std::string what;
    if (config_.kill_master) {
      std::string config_file;
      std::string executable;
      auto process = master_process(nodes, master, config_file, executable);
      if (!process.ok()) return process.error();
      auto admitted = context.admit_processes({*process});
      if (!admitted.ok()) return admitted.error();
      victim = *process;
      spec["killed"] = process_id_json(*process);
      spec["config_file"] = config_file;
      spec["executable"] = executable;
      what = "SIGKILL Redis master " + address_text(master) + " (pid " +
             std::to_string(process->pid) + ")";
    }
    if (config_.sentinels.empty()) {
      what += (what.empty() ? "" : ", then ") + std::string("REPLICAOF NO ONE on ") +
              address_text(*config_.replica);
    } else {
      what += "; Sentinel promotes a replica";
    }
    what += " (undo: the old master rejoins as a replica)";
    if (Status journaled = context.journal_before_acting(spec, what); !journaled) {
      return journaled.error();
    }
    if (victim) {
      if (Status sent = context.target().signal(*victim, SIGKILL); !sent) return sent.error();
    }
    if (config_.sentinels.empty()) {
      if (Status promoted = nodes.expect_ok(*config_.replica, {"REPLICAOF", "NO", "ONE"});
          !promoted) {
        return promoted.error();
      }
    }
    return spec;
  }

 private:
  // Refuses unless `replica` is a replica of `master` right now.
  static Status replica_of(const RedisNodes& nodes, const Endpoint& replica,
                           const Endpoint& master) {
    auto replication = nodes.info(replica, "replication");
    if (!replication.ok()) return replication.error();
    std::string role = info_field(*replication, "role");
    std::string port = info_field(*replication, "master_port");
    if (role != "slave" || port != std::to_string(master.port)) {
      return Error{ErrorCode::refused, "redis " + address_text(replica) + " is not a replica of " +
                                           address_text(master) + " (role " + role +
                                           (port.empty() ? "" : ", master port " + port) +
                                           "); nothing to fail over"};
    }
    return {};
  }

  FailoverConfig config_;
};

Result<Endpoint> read_endpoint(const JsonReader& spec, std::string_view key) {
  auto text = spec.text(key);
  if (!text.ok()) return text.error();
  auto endpoint = parse_endpoint(*text);
  if (!endpoint.ok()) return endpoint.error().with_context(spec.where() + ": " + std::string(key));
  return endpoint;
}

class RedisFailoverType final : public FaultType {
 public:
  std::string name() const override { return "redis.failover"; }
  std::string summary() const override {
    return "Fail a Redis master over: SIGKILL it and let Sentinel promote a replica, or "
           "(no Sentinel) promote the replica with REPLICAOF NO ONE; rollback brings the old "
           "master back as a replica of the new one.";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"sentinels",
         ParamKind::string_list,
         false,
         nullptr,
         "host:port of each Sentinel; they name the master and promote its replica",
         {}},
        {"master_name", ParamKind::string, false, "mymaster", "the master's name in Sentinel", {}},
        {"master", ParamKind::string, false, nullptr, "host:port of the master (no Sentinel)", {}},
        {"replica",
         ParamKind::string,
         false,
         nullptr,
         "host:port of the replica to promote (no Sentinel)",
         {}},
        {"kill_master",
         ParamKind::boolean,
         false,
         true,
         "SIGKILL the master (false, no Sentinel: promote while it still runs: split brain)",
         {}},
        {"restart",
         ParamKind::command,
         false,
         nullptr,
         "starts the killed master again at rollback (else its supervisor must)",
         {}},
        {"password",
         ParamKind::string,
         false,
         nullptr,
         "AUTH for the Redis nodes; use ${env:NAME}: never logged or recorded",
         {}},
        {"rejoin_timeout",
         ParamKind::duration,
         false,
         30000,
         "rollback waits this long for the old master to serve as a linked replica",
         {}},
        {"timeout", ParamKind::duration, false, 2000, "limit of each Redis exchange", {}},
    }};
    return schema;
  }

  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    FailoverConfig config;
    for (const auto& text : params.strings("sentinels")) {
      auto sentinel = parse_endpoint(text);
      if (!sentinel.ok()) return Error{ErrorCode::invalid, sentinel.error().message, "sentinels"};
      config.sentinels.push_back(*sentinel);
    }
    config.master_name = params.text("master_name");
    config.kill_master = params.boolean("kill_master");
    if (params.has("sentinels")) {
      if (config.sentinels.empty()) {
        return Error{ErrorCode::invalid, "sentinels must name at least one host:port", "sentinels"};
      }
      for (const char* field : {"master", "replica"}) {
        if (params.has(field)) {
          return Error{ErrorCode::invalid,
                       std::string(field) +
                           " is for a failover without Sentinel; with sentinels, "
                           "they name the master and choose the replica",
                       field};
        }
      }
      if (!config.kill_master) {
        return Error{ErrorCode::invalid,
                     "with sentinels the fault is the master's crash: kill_master must be true",
                     "kill_master"};
      }
    } else {
      for (const char* field : {"master", "replica"}) {
        if (!params.has(field)) {
          return Error{ErrorCode::invalid,
                       std::string("without sentinels, give both master and replica (") + field +
                           " is missing)",
                       field};
        }
        auto endpoint = parse_endpoint(params.text(field));
        if (!endpoint.ok()) return Error{ErrorCode::invalid, endpoint.error().message, field};
        (std::string(field) == "master" ? config.master : config.replica) = *endpoint;
      }
      if (same(*config.master, *config.replica)) {
        return Error{ErrorCode::invalid, "master and replica are the same address", "replica"};
      }
    }
    config.restart = params.strings("restart");
    config.password = params.text("password");
    config.rejoin_timeout = params.duration("rejoin_timeout");
    config.timeout = params.duration("timeout");
    if (config.timeout.count() <= 0) {
      return Error{ErrorCode::invalid, "timeout must be positive", "timeout"};
    }
    if (config.rejoin_timeout < config.timeout) {
      return Error{ErrorCode::invalid, "rejoin_timeout must be at least timeout", "rejoin_timeout"};
    }
    return std::unique_ptr<Fault>(std::make_unique<RedisFailover>(std::move(config)));
  }

  Result<Undo> rollback(const Json& spec, ActionContext& context) const override;
};

// Rollback, from the journaled spec alone (the runner, or `faultline recover`).
class Rejoin {
 public:
  Rejoin(const JsonReader& spec, ActionContext& context) : spec_(spec), context_(context) {}

  Result<Undo> run() {
    if (Status read = read_spec(); !read) return read.error();
    deadline_ = MonoClock::now() + rejoin_timeout_;
    auto current = current_master();
    if (!current.ok()) return current.error();
    if (same(*current, old_master_)) return Undo::already_undone;  // no failover happened
    if (Status back = bring_back_old_master(*current); !back) return back.error();
    if (Status joined = wait_until_replica(*current); !joined) return joined.error();
    if (nodes_->role(*current) != "master") {
      return Error{"the new master " + address_text(*current) +
                   " no longer says role:master after the old master rejoined; check the "
                   "cluster by hand"};
    }
    return acted_ ? Undo::done : Undo::already_undone;
  }

 private:
  Status read_spec() {
    auto mode = spec_.text("mode");
    if (!mode.ok()) return mode.error();
    if (*mode != "sentinel" && *mode != "manual") {
      return Error{ErrorCode::invalid, spec_.where() + ": unknown mode '" + *mode + "'"};
    }
    sentinel_mode_ = *mode == "sentinel";
    auto old_master = read_endpoint(spec_, "old_master");
    if (!old_master.ok()) return old_master.error();
    old_master_ = *old_master;
    if (!sentinel_mode_) {
      auto new_master = read_endpoint(spec_, "new_master");
      if (!new_master.ok()) return new_master.error();
      new_master_ = *new_master;
    }
    auto name = spec_.text_or("master_name", "mymaster");
    auto sentinels = spec_.strings_or("sentinels");
    auto restart = spec_.strings_or("restart");
    auto password = spec_.text_or("password", "");
    auto rejoin = spec_.integer_or("rejoin_timeout_ms", 30000);
    auto timeout = spec_.integer_or("timeout_ms", 2000);
    for (const Status& field : {Status(name.ok() ? Status() : name.error()),
                                Status(sentinels.ok() ? Status() : sentinels.error()),
                                Status(restart.ok() ? Status() : restart.error()),
                                Status(password.ok() ? Status() : password.error()),
                                Status(rejoin.ok() ? Status() : rejoin.error()),
                                Status(timeout.ok() ? Status() : timeout.error())}) {
      if (!field) return field;
    }
    master_name_ = *name;
    restart_ = *restart;
    for (const auto& text : *sentinels) {
      auto sentinel = parse_endpoint(text);
      if (!sentinel.ok()) return sentinel.error().with_context(spec_.where() + ": sentinels");
      sentinels_.push_back(*sentinel);
    }
    if (sentinel_mode_ && sentinels_.empty()) {
      return Error{ErrorCode::invalid, spec_.where() + ": a Sentinel failover names no Sentinel"};
    }
    if (*rejoin <= 0 || *rejoin > kMaxDuration.count() || *timeout <= 0 || *timeout > *rejoin) {
      return Error{ErrorCode::invalid, spec_.where() + ": implausible timeouts"};
    }
    rejoin_timeout_ = Millis(*rejoin);
    if (spec_.has("killed")) {
      auto killed = spec_.object("killed");
      if (!killed.ok()) return killed.error();
      auto process = read_process_id(*killed);
      if (!process.ok()) return process.error();
      killed_pid_ = process->pid;
    }
    auto config_file = spec_.text_or("config_file", "");
    auto executable = spec_.text_or("executable", "redis-server");
    if (config_file.ok() && executable.ok() && !config_file->empty()) {
      start_hint_ = *executable + " " + *config_file;
    }
    nodes_.emplace(context_.target(), *password, Millis(*timeout));
    return {};
  }

  // Sentinel mode: the master the Sentinels name once they have moved off the old one
  // (or the old one itself, when it still serves: no failover happened). Manual mode:
  // the replica, promoted now if the runner died before it could.
  Result<Endpoint> current_master() {
    if (!sentinel_mode_) {
      std::string role = nodes_->role(new_master_);
      if (role == "master") return new_master_;
      if (role.empty()) {
        return Error{"the promoted replica " + address_text(new_master_) +
                     " does not answer; no master to rejoin"};
      }
      if (nodes_->role(old_master_) == "master") return old_master_;  // nothing happened
      if (Status promoted = nodes_->expect_ok(new_master_, {"REPLICAOF", "NO", "ONE"}); !promoted) {
        return promoted.error();
      }
      acted_ = true;
      return new_master_;
    }
    std::string last;
    while (true) {
      auto named =
          ask_sentinels_for_master(context_.target(), sentinels_, master_name_, nodes_->timeout());
      if (named.ok()) {
        if (!same(*named, old_master_) || nodes_->role(old_master_) == "master") return *named;
        last = "they still name the old master " + address_text(old_master_) + ", which is down";
      } else {
        last = named.error().message;
      }
      if (left_until(deadline_).count() <= 0) {
        return Error{ErrorCode::timed_out,
                     "no new master after " + format_duration(rejoin_timeout_) +
                         " (Sentinels: " + last + "); the old master " + address_text(old_master_) +
                         " is not serving either"};
      }
      std::this_thread::sleep_for(kPoll);
    }
  }

  Status bring_back_old_master(const Endpoint& current) {
    if (nodes_->answers(old_master_)) return {};
    acted_ = true;
    std::string restarted;
    if (!restart_.empty()) {
      auto ran = context_.run_step("rollback", Command(restart_),
                                   std::max(left_until(deadline_), Millis(1)));
      if (!ran.ok()) {
        restarted = " (restart could not run: " + ran.error().message + ")";
      } else if (!ran->succeeded()) {
        restarted = " (restart " + ran->how_it_ended(left_until(deadline_)) + ")";
      }
    }
    while (!nodes_->answers(old_master_)) {
      if (left_until(deadline_).count() <= 0) {
        std::string pid = killed_pid_ ? " (was pid " + std::to_string(killed_pid_) + ")" : "";
        std::string how = start_hint_.empty() ? "start it" : "start it (`" + start_hint_ + "`)";
        return Error{ErrorCode::timed_out,
                     "the old Redis master " + address_text(old_master_) + pid +
                         " is still down after " + format_duration(rejoin_timeout_) + restarted +
                         "; the new master is " + address_text(current) + ". " + how +
                         ", then run `faultline recover`: it rejoins as a replica"};
      }
      std::this_thread::sleep_for(kPoll);
    }
    return {};
  }

  Status wait_until_replica(const Endpoint& current) {
    MonoTime back_at = MonoClock::now();
    std::string state;
    while (true) {
      auto replication = nodes_->info(old_master_, "replication");
      if (replication.ok()) {
        std::string role = info_field(*replication, "role");
        bool follows = role == "slave" && info_field(*replication, "master_host") == current.host &&
                       info_field(*replication, "master_port") == std::to_string(current.port);
        if (follows && info_field(*replication, "master_link_status") == "up") return {};
        state = "role " + role +
                (role == "slave" ? ", master " + info_field(*replication, "master_host") + ":" +
                                       info_field(*replication, "master_port") + ", link " +
                                       info_field(*replication, "master_link_status")
                                 : "");
        // Sentinel demotes a returning master by itself; without Sentinel (or when it
        // has not done so in a while) the rollback does what Sentinel would.
        bool demote = !follows && (!sentinel_mode_ || MonoClock::now() - back_at > kSentinelGrace);
        if (demote) {
          acted_ = true;
          if (Status sent = nodes_->expect_ok(
                  old_master_, {"REPLICAOF", current.host, std::to_string(current.port)});
              !sent) {
            state += "; " + sent.error().message;
          } else if (!sentinel_mode_) {
            (void)nodes_->expect_ok(old_master_, {"CONFIG", "REWRITE"});
          }
        }
      } else {
        state = replication.error().message;
      }
      if (left_until(deadline_).count() <= 0) {
        return Error{ErrorCode::timed_out,
                     "the old Redis master " + address_text(old_master_) +
                         " is back but not a linked replica of the new master " +
                         address_text(current) + " after " + format_duration(rejoin_timeout_) +
                         " (" + state + "); send it `REPLICAOF " + current.host + " " +
                         std::to_string(current.port) + "`, then run `faultline recover`"};
      }
      std::this_thread::sleep_for(kPoll);
    }
  }

  const JsonReader& spec_;
  ActionContext& context_;
  bool sentinel_mode_ = false;
  Endpoint old_master_;
  Endpoint new_master_;
  std::string master_name_;
  std::vector<Endpoint> sentinels_;
  std::vector<std::string> restart_;
  Millis rejoin_timeout_{30000};
  pid_t killed_pid_ = 0;
  std::string start_hint_;
  std::optional<RedisNodes> nodes_;
  MonoTime deadline_;
  bool acted_ = false;
};

Result<Undo> RedisFailoverType::rollback(const Json& spec, ActionContext& context) const {
  JsonReader reader(spec, "redis.failover rollback");
  if (Status object = reader.expect_object("a rollback spec"); !object) return object.error();
  return Rejoin(reader, context).run();
}

}  // namespace

std::unique_ptr<FaultType> make_redis_failover_type() {
  return std::make_unique<RedisFailoverType>();
}

}  // namespace faultline
