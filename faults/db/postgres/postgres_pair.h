#pragma once
// A PostgreSQL primary + streaming standby as the postgres faults see it: connection
// strings to both, the primary's data directory, and the programs to act with. Shared by
// postgres.failover and postgres.switchover, whose rollback is the same: leave a working
// primary + standby pair (the old primary rewound into a standby of the new one), or say
// exactly what could not be restored.
#include <string>
#include <vector>

#include "runner/core/fault.h"
#include "runner/core/json_reader.h"

namespace faultline {

struct PgPairSpec {
  std::string primary;       // conninfo of the primary the fault acts on
  std::string primary_data;  // its data directory
  std::string primary_log;   // where pg_ctl start writes its log
  std::string standby;       // conninfo of the standby to promote
  std::string bin_dir;       // /usr/lib/postgresql/15/bin
  std::string run_as;        // the user the servers run as (when faultline is root)
  Millis timeout{30000};     // each wait: promotion, replay, a start

  static PgPairSpec from_params(const Params& params);
  static Result<PgPairSpec> from_json(const JsonReader& spec);
  Json to_json() const;
};

// The params every pair fault takes (primary, primary_data, standby, ...).
std::vector<ParamSpec> pair_params();
Status check_pair_params(const Params& params);
Status preflight_pair(Target& target, const PgPairSpec& pair);

// argv run as `run_as` (through runuser when this target acts as root).
Command as_server_user(Target& target, const PgPairSpec& pair, std::vector<std::string> argv);

// The first column of the first row of `query` on `conninfo`.
Result<std::string> sql_value(Target& target, const std::string& conninfo, const std::string& query,
                              Millis timeout);
// pg_is_in_recovery() on `conninfo`: true for a standby, false for a primary.
Result<bool> in_recovery(Target& target, const std::string& conninfo, Millis timeout);

// Waits until `query` on `conninfo` returns "t" (polling every 50 ms) or the timeout.
Status wait_until_true(Target& target, const std::string& conninfo, const std::string& query,
                       Millis timeout, const std::string& what);

// Before a pair fault acts: the primary takes writes and the standby is in recovery.
Status check_roles(Target& target, const PgPairSpec& pair);

// The rollback of failover and switchover (see the header comment); idempotent.
Result<Undo> restore_pair(const PgPairSpec& pair, ActionContext& context);

}  // namespace faultline
