#include "faults/db/postgres/postgres_faults.h"

#include <signal.h>

#include <thread>

#include "faults/db/postgres/postgres_pair.h"
#include "faults/fault_steps.h"

namespace faultline {
namespace {

// The standby's promotion, waited for (pg_promote(true, seconds) returns once it is done).
Status promote(Target& target, const PgPairSpec& pair) {
  std::string seconds = std::to_string(std::max<int64_t>(1, pair.timeout.count() / 1000));
  auto promoted = sql_value(target, pair.standby, "SELECT pg_promote(true, " + seconds + ")",
                            pair.timeout + Millis(2000));
  if (!promoted.ok()) return promoted.error().with_context("pg_promote() on the standby");
  if (*promoted != "t") return Error{"pg_promote() on the standby did not finish in time"};
  return {};
}

Result<Undo> rollback_pair(const Json& spec, ActionContext& context, const std::string& type) {
  auto pair = PgPairSpec::from_json(JsonReader(spec, type + " rollback"));
  if (!pair.ok()) return pair.error();
  return restore_pair(*pair, context);
}

class PostgresFailover final : public Fault {
 public:
  PostgresFailover(PgPairSpec pair, bool immediate, bool fence)
      : pair_(std::move(pair)), immediate_(immediate), fence_(fence) {}
  std::string describe() const override {
    return std::string(immediate_ ? "immediate stop" : "SIGKILL") + " of the primary, promote" +
           (fence_ ? ", fence" : "");
  }
  Status preflight(Target& target) const override { return preflight_pair(target, pair_); }

  Result<Json> inject(FaultContext& context) const override {
    Target& target = context.target();
    if (Status roles = check_roles(target, pair_); !roles) return roles.error();
    auto postmaster = primary_postmaster(target);
    if (!postmaster.ok()) return postmaster.error();
    Json spec = pair_.to_json();
    if (Status journaled = context.journal_before_acting(spec, describe()); !journaled)
      return journaled.error();
    if (immediate_) {
      Command stop = as_server_user(
          target, pair_,
          {pair_.bin_dir + "/pg_ctl", "-D", pair_.primary_data, "-m", "immediate", "-w", "stop"});
      if (Status stopped = run_fault_step(context, "inject", stop, pair_.timeout); !stopped)
        return stopped.error();
    } else if (Status killed = target.signal(*postmaster, SIGKILL); !killed) {
      return killed.error().with_context("SIGKILL of the primary's postmaster");
    }
    if (Status promoted = promote(target, pair_); !promoted) return promoted.error();
    if (fence_) {
      Command fence =
          as_server_user(target, pair_, {"touch", pair_.primary_data + "/standby.signal"});
      if (Status fenced = run_fault_step(context, "inject", fence, Millis(10000)); !fenced)
        return fenced.error();
    }
    return spec;
  }

 private:
  // The postmaster of primary_data, refused unless it is a `postgres` process of the
  // servers' user: a stale or planted pidfile must not aim the SIGKILL elsewhere.
  Result<ProcessId> primary_postmaster(Target& target) const {
    std::string pidfile = pair_.primary_data + "/postmaster.pid";
    auto process = target.read_pidfile(pidfile);
    if (!process.ok()) return process.error().with_context("the primary's postmaster");
    auto info = target.describe_process(*process);
    if (!info.ok()) return info.error().with_context("the primary's postmaster");
    bool own_user =
        target.acting_uid() == 0 ? info->user == pair_.run_as : info->uid == target.acting_uid();
    if (info->name != "postgres" || !own_user || process->pid <= 1) {
      return Error{ErrorCode::refused, pidfile + " names " + info->describe() +
                                           ", not a postgres postmaster of user " + pair_.run_as};
    }
    return *process;
  }

  PgPairSpec pair_;
  bool immediate_;
  bool fence_;
};

class PostgresSwitchover final : public Fault {
 public:
  explicit PostgresSwitchover(PgPairSpec pair) : pair_(std::move(pair)) {}
  std::string describe() const override { return "switchover to the standby"; }
  Status preflight(Target& target) const override { return preflight_pair(target, pair_); }

  Result<Json> inject(FaultContext& context) const override {
    Target& target = context.target();
    if (Status roles = check_roles(target, pair_); !roles) return roles.error();
    Json spec = pair_.to_json();
    if (Status journaled = context.journal_before_acting(spec, describe()); !journaled)
      return journaled.error();
    auto checkpoint = target.sql(SqlRequest{pair_.primary, "CHECKPOINT", pair_.timeout});
    if (!checkpoint.ok()) return checkpoint.error().with_context("CHECKPOINT on the primary");
    auto lsn = sql_value(target, pair_.primary, "SELECT pg_current_wal_lsn()", pair_.timeout);
    if (!lsn.ok()) return lsn.error().with_context("the primary's WAL position");
    if (Status caught_up = wait_until_true(
            target, pair_.standby, "SELECT pg_last_wal_replay_lsn() >= '" + *lsn + "'::pg_lsn",
            pair_.timeout, "the standby to replay up to " + *lsn);
        !caught_up) {
      return caught_up.error();
    }
    // A clean stop sends the last WAL (the shutdown checkpoint) to the standby first.
    Command stop =
        as_server_user(target, pair_,
                       {pair_.bin_dir + "/pg_ctl", "-D", pair_.primary_data, "-m", "fast", "-w",
                        "-t", std::to_string(pair_.timeout.count() / 1000), "stop"});
    if (Status stopped = run_fault_step(context, "inject", stop, pair_.timeout + Millis(5000));
        !stopped) {
      return stopped.error();
    }
    if (Status promoted = promote(target, pair_); !promoted) return promoted.error();
    return spec;
  }

 private:
  PgPairSpec pair_;
};

class PostgresReplicationLag final : public Fault {
 public:
  PostgresReplicationLag(std::string standby, bool detach, Millis timeout)
      : standby_(std::move(standby)), detach_(detach), timeout_(timeout) {}
  std::string describe() const override {
    return detach_ ? "stop the standby's WAL receiver" : "pause WAL replay on the standby";
  }

  Result<Json> inject(FaultContext& context) const override {
    Target& target = context.target();
    auto standby = in_recovery(target, standby_, timeout_);
    if (!standby.ok()) return standby.error().with_context("the standby (param standby)");
    if (!*standby) return Error{"the standby (param standby) is not in recovery: it is a primary"};
    Json spec{{"standby", standby_},
              {"mode", detach_ ? "detach" : "pause_replay"},
              {"timeout_ms", timeout_.count()}};
    if (detach_) {
      auto conninfo = sql_value(target, standby_, "SHOW primary_conninfo", timeout_);
      if (!conninfo.ok()) return conninfo.error().with_context("the standby's primary_conninfo");
      spec["primary_conninfo"] = *conninfo;
    }
    if (Status journaled = context.journal_before_acting(spec, describe()); !journaled)
      return journaled.error();
    if (!detach_) {
      auto paused = target.sql(SqlRequest{standby_, "SELECT pg_wal_replay_pause()", timeout_});
      if (!paused.ok()) return paused.error().with_context("pg_wal_replay_pause()");
      return spec;
    }
    for (const char* statement :
         {"ALTER SYSTEM SET primary_conninfo = ''", "SELECT pg_reload_conf()"}) {
      auto done = target.sql(SqlRequest{standby_, statement, timeout_});
      if (!done.ok()) return done.error().with_context(statement);
    }
    // The receiver stops on the reload; wait until it has, so the lag starts now.
    if (Status stopped =
            wait_until_true(target, standby_,
                            "SELECT count(*) = 0 FROM pg_stat_wal_receiver WHERE status = "
                            "'streaming'",
                            timeout_, "the WAL receiver to stop");
        !stopped) {
      return stopped.error();
    }
    return spec;
  }

 private:
  std::string standby_;
  bool detach_;
  Millis timeout_;
};

std::string sql_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

class FailoverType final : public FaultType {
 public:
  std::string name() const override { return "postgres.failover"; }
  std::string summary() const override {
    return "Runbook failover: SIGKILL (or immediate stop) of the primary's postmaster (from "
           "primary_data/postmaster.pid), pg_promote() on the standby, optionally fence the old "
           "primary.";
  }
  const Schema& schema() const override {
    static const Schema schema{[] {
      auto params = pair_params();
      params.push_back({"stop",
                        ParamKind::choice,
                        false,
                        "kill",
                        "kill: SIGKILL of the postmaster; immediate: pg_ctl stop -m immediate",
                        {"kill", "immediate"}});
      params.push_back({"fence",
                        ParamKind::boolean,
                        false,
                        false,
                        "leave standby.signal in the old primary's data directory",
                        {}});
      return params;
    }()};
    return schema;
  }
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    if (Status checked = check_pair_params(params); !checked) return checked.error();
    return std::unique_ptr<Fault>(std::make_unique<PostgresFailover>(
        PgPairSpec::from_params(params), params.text("stop") == "immediate",
        params.boolean("fence")));
  }
  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    return rollback_pair(spec, context, name());
  }
};

class SwitchoverType final : public FaultType {
 public:
  std::string name() const override { return "postgres.switchover"; }
  std::string summary() const override {
    return "Planned, lossless switchover: checkpoint, wait for the standby, stop the primary, "
           "promote the standby.";
  }
  const Schema& schema() const override {
    static const Schema schema{pair_params()};
    return schema;
  }
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    if (Status checked = check_pair_params(params); !checked) return checked.error();
    return std::unique_ptr<Fault>(
        std::make_unique<PostgresSwitchover>(PgPairSpec::from_params(params)));
  }
  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    return rollback_pair(spec, context, name());
  }
};

class ReplicationLagType final : public FaultType {
 public:
  std::string name() const override { return "postgres.replication_lag"; }
  std::string summary() const override {
    return "Holds the standby back: detach stops its WAL receiver (an async failover then "
           "loses what it missed); pause_replay pauses replay.";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"standby", ParamKind::string, true, nullptr, "libpq connection string of the standby", {}},
        {"mode",
         ParamKind::choice,
         false,
         "detach",
         "detach (stop receiving WAL) or pause_replay",
         {"detach", "pause_replay"}},
        {"timeout", ParamKind::duration, false, 10000, "limit for each query and wait", {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    if (params.text("standby").empty())
      return Error{ErrorCode::invalid, "must not be empty", "standby"};
    if (params.duration("timeout").count() <= 0)
      return Error{ErrorCode::invalid, "timeout must be positive", "timeout"};
    return std::unique_ptr<Fault>(std::make_unique<PostgresReplicationLag>(
        params.text("standby"), params.text("mode") == "detach", params.duration("timeout")));
  }
  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    JsonReader reader(spec, name() + " rollback");
    auto standby = reader.text("standby");
    if (!standby.ok()) return standby.error();
    auto mode = reader.text("mode");
    if (!mode.ok()) return mode.error();
    auto timeout_ms = reader.integer("timeout_ms");
    if (!timeout_ms.ok()) return timeout_ms.error();
    Millis timeout(std::clamp<int64_t>(*timeout_ms, 100, 600000));
    Target& target = context.target();
    auto recovering = in_recovery(target, *standby, timeout);
    if (!recovering.ok()) {
      return recovering.error().with_context(
          "the standby could not be reached to undo " +
          std::string(*mode == "detach" ? "the detached WAL receiver" : "the paused replay"));
    }
    if (*mode == "pause_replay") {
      if (!*recovering) return Undo::already_undone;  // promoted: replay is over
      auto paused = sql_value(target, *standby, "SELECT pg_get_wal_replay_pause_state()", timeout);
      if (paused.ok() && *paused == "not paused") return Undo::already_undone;
      auto resumed = target.sql(SqlRequest{*standby, "SELECT pg_wal_replay_resume()", timeout});
      if (!resumed.ok()) return resumed.error().with_context("pg_wal_replay_resume()");
      return Undo::done;
    }
    auto original = reader.text("primary_conninfo");
    if (!original.ok()) return original.error();
    auto current = sql_value(target, *standby, "SHOW primary_conninfo", timeout);
    if (current.ok() && *current == *original) return Undo::already_undone;
    for (const std::string& statement :
         {"ALTER SYSTEM SET primary_conninfo = " + sql_literal(*original),
          std::string("SELECT pg_reload_conf()")}) {
      auto done = target.sql(SqlRequest{*standby, statement, timeout});
      if (!done.ok()) return done.error().with_context("restoring the standby's primary_conninfo");
    }
    return Undo::done;
  }
};

}  // namespace

std::unique_ptr<FaultType> make_postgres_failover_type() {
  return std::make_unique<FailoverType>();
}
std::unique_ptr<FaultType> make_postgres_switchover_type() {
  return std::make_unique<SwitchoverType>();
}
std::unique_ptr<FaultType> make_postgres_replication_lag_type() {
  return std::make_unique<ReplicationLagType>();
}

}  // namespace faultline
