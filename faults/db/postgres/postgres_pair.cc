#include "faults/db/postgres/postgres_pair.h"

#include <thread>

#include "faults/db/postgres/conninfo.h"
#include "faults/fault_steps.h"

namespace faultline {
namespace {

constexpr Millis kQueryTimeout{5000};

std::string pg_ctl(const PgPairSpec& pair) { return pair.bin_dir + "/pg_ctl"; }

// Whether the primary's postmaster (by its pidfile) still runs.
bool postmaster_alive(Target& target, const PgPairSpec& pair) {
  auto process = target.read_pidfile(pair.primary_data + "/postmaster.pid");
  return process.ok() && target.is_alive(*process);
}

// Starts the old primary's server; a SIGKILLed postmaster's children may hold its shared
// memory for a moment after it died, so a refused start is tried again.
Status start_old_primary(ActionContext& context, const PgPairSpec& pair) {
  Command start =
      as_server_user(context.target(), pair,
                     {pg_ctl(pair), "-D", pair.primary_data, "-l", pair.primary_log, "-w", "-t",
                      std::to_string(pair.timeout.count() / 1000), "start"});
  Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    started = run_fault_step(context, "rollback", start, pair.timeout + Millis(5000));
    if (started) return started;
    std::this_thread::sleep_for(Millis(500));
  }
  return started;
}

}  // namespace

PgPairSpec PgPairSpec::from_params(const Params& params) {
  PgPairSpec pair;
  pair.primary = params.text("primary");
  pair.primary_data = params.text("primary_data");
  pair.primary_log =
      params.has("primary_log") ? params.text("primary_log") : pair.primary_data + ".log";
  pair.standby = params.text("standby");
  pair.bin_dir = params.text("bin_dir");
  pair.run_as = params.text("run_as");
  pair.timeout = params.duration("timeout");
  return pair;
}

Result<PgPairSpec> PgPairSpec::from_json(const JsonReader& spec) {
  PgPairSpec pair;
  for (auto [field, key] : {std::pair{&pair.primary, "primary"},
                            {&pair.primary_data, "primary_data"},
                            {&pair.primary_log, "primary_log"},
                            {&pair.standby, "standby"},
                            {&pair.bin_dir, "bin_dir"},
                            {&pair.run_as, "run_as"}}) {
    auto value = spec.text(key);
    if (!value.ok()) return value.error();
    *field = *value;
  }
  auto timeout = spec.integer("timeout_ms");
  if (!timeout.ok()) return timeout.error();
  pair.timeout = Millis(std::clamp<int64_t>(*timeout, 1000, 600000));
  return pair;
}

Json PgPairSpec::to_json() const {
  return Json{{"primary", primary},           {"primary_data", primary_data},
              {"primary_log", primary_log},   {"standby", standby},
              {"bin_dir", bin_dir},           {"run_as", run_as},
              {"timeout_ms", timeout.count()}};
}

std::vector<ParamSpec> pair_params() {
  return {
      {"primary", ParamKind::string, true, nullptr, "libpq connection string of the primary", {}},
      {"primary_data", ParamKind::string, true, nullptr, "the primary's data directory", {}},
      {"primary_log",
       ParamKind::string,
       false,
       nullptr,
       "log file when rollback starts the old primary again (default: primary_data.log)",
       {}},
      {"standby", ParamKind::string, true, nullptr, "libpq connection string of the standby", {}},
      {"bin_dir",
       ParamKind::string,
       false,
       "/usr/lib/postgresql/15/bin",
       "where pg_ctl and pg_rewind are",
       {}},
      {"run_as", ParamKind::string, false, "postgres", "the servers' user (used when root)", {}},
      {"timeout", ParamKind::duration, false, 30000, "limit for each wait", {}},
  };
}

Status check_pair_params(const Params& params) {
  for (const char* name : {"primary", "primary_data", "standby"}) {
    if (params.text(name).empty()) return Error{ErrorCode::invalid, "must not be empty", name};
  }
  if (params.text("primary_data").front() != '/') {
    return Error{ErrorCode::invalid, "must be an absolute path", "primary_data"};
  }
  if (params.duration("timeout") < Millis(1000)) {
    return Error{ErrorCode::invalid, "timeout must be at least 1s", "timeout"};
  }
  return {};
}

Status preflight_pair(Target& target, const PgPairSpec& pair) {
  for (const char* program : {"pg_ctl", "pg_rewind"}) {
    if (!target.has_program(pair.bin_dir + "/" + program)) {
      return Error{ErrorCode::not_found, pair.bin_dir + "/" + program + " not found (bin_dir)"};
    }
  }
  if (target.acting_uid() == 0 && !target.has_program("runuser")) {
    return Error{ErrorCode::not_found, "runuser not found: needed to act as " + pair.run_as};
  }
  return {};
}

Command as_server_user(Target& target, const PgPairSpec& pair, std::vector<std::string> argv) {
  if (target.acting_uid() != 0) return Command(std::move(argv));
  std::vector<std::string> wrapped{"runuser", "-u", pair.run_as, "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return Command(std::move(wrapped));
}

Result<std::string> sql_value(Target& target, const std::string& conninfo, const std::string& query,
                              Millis timeout) {
  auto answer = target.sql(SqlRequest{conninfo, query, timeout});
  if (!answer.ok()) return answer.error();
  if (answer->rows.empty() || answer->rows[0].empty() || !answer->rows[0][0]) {
    return Error{"'" + query + "' returned no value"};
  }
  return *answer->rows[0][0];
}

Result<bool> in_recovery(Target& target, const std::string& conninfo, Millis timeout) {
  auto value = sql_value(target, conninfo, "SELECT pg_is_in_recovery()", timeout);
  if (!value.ok()) return value.error();
  return *value == "t";
}

Status wait_until_true(Target& target, const std::string& conninfo, const std::string& query,
                       Millis timeout, const std::string& what) {
  MonoTime deadline = MonoClock::now() + timeout;
  std::string last = "no answer";
  while (MonoClock::now() < deadline) {
    auto value = sql_value(target, conninfo, query, kQueryTimeout);
    if (value.ok() && *value == "t") return {};
    last = value.ok() ? "not yet" : value.error().message;
    std::this_thread::sleep_for(Millis(50));
  }
  return Error{ErrorCode::timed_out,
               what + ": not within " + format_duration(timeout) + " (last: " + last + ")"};
}

Status check_roles(Target& target, const PgPairSpec& pair) {
  auto primary = in_recovery(target, pair.primary, kQueryTimeout);
  if (!primary.ok()) return primary.error().with_context("the primary (param primary)");
  if (*primary) return Error{"the primary (param primary) is in recovery: it is a standby"};
  auto standby = in_recovery(target, pair.standby, kQueryTimeout);
  if (!standby.ok()) return standby.error().with_context("the standby (param standby)");
  if (!*standby) return Error{"the standby (param standby) is not in recovery: it is a primary"};
  return {};
}

Result<Undo> restore_pair(const PgPairSpec& pair, ActionContext& context) {
  Target& target = context.target();
  bool old_alive = postmaster_alive(target, pair);
  auto standby_in_recovery = in_recovery(target, pair.standby, kQueryTimeout);
  bool promoted = standby_in_recovery.ok() && !*standby_in_recovery;

  if (!promoted) {
    // The standby was not promoted (or cannot say): the old primary stays the primary.
    if (!old_alive) {
      Command unfence =
          as_server_user(target, pair, {"rm", "-f", pair.primary_data + "/standby.signal"});
      if (Status removed = run_fault_step(context, "rollback", unfence, Millis(10000)); !removed)
        return removed.error();
      if (Status started = start_old_primary(context, pair); !started) {
        return started.error().with_context("the old primary at " + pair.primary_data +
                                            " could not be started again");
      }
    }
    auto writable = in_recovery(target, pair.primary, pair.timeout);
    if (!writable.ok() || *writable) {
      return Error{"no primary takes writes: the standby was not promoted (" +
                   (standby_in_recovery.ok() ? std::string("still in recovery")
                                             : standby_in_recovery.error().message) +
                   ") and the old primary at " + pair.primary_data + " is " +
                   (writable.ok() ? "in recovery" : writable.error().message)};
    }
    return old_alive ? Undo::already_undone : Undo::done;
  }

  // The standby is the primary now: the old one must follow it.
  if (old_alive) {
    auto old_in_recovery = in_recovery(target, pair.primary, kQueryTimeout);
    if (old_in_recovery.ok() && *old_in_recovery) return Undo::already_undone;
    // Two primaries (split brain), or one that does not answer: stop it before rewinding.
    Command stop = as_server_user(target, pair,
                                  {pg_ctl(pair), "-D", pair.primary_data, "-m", "fast", "-w", "-t",
                                   std::to_string(pair.timeout.count() / 1000), "stop"});
    if (Status stopped = run_fault_step(context, "rollback", stop, pair.timeout + Millis(5000));
        !stopped) {
      return stopped.error().with_context("the old primary at " + pair.primary_data +
                                          " still runs beside the promoted standby (split brain) "
                                          "and could not be stopped");
    }
  }
  // pg_rewind finds the timeline switch from the source's control file, which the
  // promotion's own checkpoint may not have reached yet.
  auto checkpoint = target.sql(SqlRequest{pair.standby, "CHECKPOINT", pair.timeout});
  if (!checkpoint.ok()) return checkpoint.error().with_context("CHECKPOINT on the new primary");
  // A password in the standby's connection string goes to pg_rewind through PGPASSWORD in
  // its own environment, not on its command line (which every user can read, and which the
  // record shows).
  SplitConninfo source = split_password(pair.standby);
  Command rewind =
      as_server_user(target, pair,
                     {pair.bin_dir + "/pg_rewind", "--target-pgdata", pair.primary_data,
                      "--source-server", source.without_password, "--write-recovery-conf"});
  if (!source.password.empty()) rewind.env["PGPASSWORD"] = source.password;
  // pg_rewind copies the source's configuration files too: the old primary would come
  // up with the new one's port. Its own postgresql.conf is kept aside and put back.
  std::string own_conf = pair.primary_data + "/postgresql.conf";
  std::string kept_conf = pair.primary_data + ".postgresql.conf.before-rewind";
  Command keep = as_server_user(target, pair, {"cp", "-p", own_conf, kept_conf});
  if (Status kept = run_fault_step(context, "rollback", keep, Millis(10000)); !kept)
    return kept.error();
  // The fence (standby.signal) must go first: pg_rewind's crash recovery runs in
  // single-user mode, which refuses standby mode. --write-recovery-conf puts it back.
  Command unfence =
      as_server_user(target, pair, {"rm", "-f", pair.primary_data + "/standby.signal"});
  if (Status removed = run_fault_step(context, "rollback", unfence, Millis(10000)); !removed)
    return removed.error();
  // A SIGKILLed postmaster may not be reaped yet, and its backends hold its shared memory
  // until they notice: pg_rewind's crash recovery then refuses to start. Try again.
  Status rewound;
  MonoTime give_up = MonoClock::now() + pair.timeout;
  for (;;) {
    rewound = run_fault_step(context, "rollback", rewind, pair.timeout * 2);
    if (rewound || MonoClock::now() >= give_up) break;
    std::this_thread::sleep_for(Millis(1000));
  }
  if (!rewound) {
    return rewound.error().with_context(
        "the old primary at " + pair.primary_data +
        " could not be rewound into a standby of the promoted one (which takes writes); rebuild "
        "it: pg_basebackup -R -D " +
        pair.primary_data + " -d '<the standby param>' into an empty directory, then start it");
  }
  Command put_back = as_server_user(target, pair, {"cp", "-p", kept_conf, own_conf});
  if (Status restored = run_fault_step(context, "rollback", put_back, Millis(10000)); !restored)
    return restored.error();
  if (Status started = start_old_primary(context, pair); !started) {
    return started.error().with_context("the rewound old primary at " + pair.primary_data +
                                        " could not be started as a standby");
  }
  if (Status following = wait_until_true(target, pair.primary, "SELECT pg_is_in_recovery()",
                                         pair.timeout, "the old primary to run as a standby");
      !following) {
    return following.error();
  }
  return Undo::done;
}

}  // namespace faultline
