#pragma once
#include <memory>

#include "runner/core/fault.h"

namespace faultline {

// redis.failover: the Redis master is killed (SIGKILL, found by the port Sentinel names)
// and Sentinel promotes its replica; or, with no Sentinel, the replica is promoted with
// REPLICAOF NO ONE (after killing the master, unless kill_master is false). Rollback
// brings the old master back (the `restart` command, or whatever supervises it) and
// waits until it serves as a linked replica of the new master.
std::unique_ptr<FaultType> make_redis_failover_type();

}  // namespace faultline
