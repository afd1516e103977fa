#pragma once
#include "runner/workload/ledger_store.h"

namespace faultline {

// workload `redis:` — RPUSH of each seq to one list per drill, on the master an address
// or the Sentinels name (runner/os/redis_client.h).
const LedgerType& redis_ledger_type();

}  // namespace faultline
