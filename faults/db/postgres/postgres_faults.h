#pragma once
// PostgreSQL fault types (faults/db/postgres), acting through the Target only.
#include <memory>

#include "runner/core/fault.h"

namespace faultline {

// postgres.failover: the runbook failover. Stops the primary hard (SIGKILL of the
// postmaster the plan's target: names, or an immediate stop), promotes the standby with
// pg_promote(), and with fence: true leaves a standby.signal in the old primary's data
// directory so that a restart cannot bring it back as a second primary.
std::unique_ptr<FaultType> make_postgres_failover_type();
// postgres.switchover: planned and lossless: checkpoint, wait until the standby replayed
// everything, stop the primary cleanly, wait for its last WAL, promote.
std::unique_ptr<FaultType> make_postgres_switchover_type();
// postgres.replication_lag: holds the standby back so that an async failover loses data:
// mode detach (the WAL receiver is stopped: nothing more arrives) or pause_replay
// (received but not replayed; a promotion still replays it, so nothing is lost).
std::unique_ptr<FaultType> make_postgres_replication_lag_type();

}  // namespace faultline
