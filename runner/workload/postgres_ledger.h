#pragma once
#include "runner/workload/ledger_store.h"

namespace faultline {

// workload `postgres:` — rows (drill, seq) inserted through libpq (runner/os/pg_client.h).
const LedgerType& postgres_ledger_type();

}  // namespace faultline
