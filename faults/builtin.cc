#include "faults/db/postgres/postgres_faults.h"
#include "faults/db/redis/redis_failover.h"
#include "faults/exec/exec_fault.h"
#include "faults/faults.h"
#include "faults/network/network_faults.h"
#include "faults/process/process_faults.h"

namespace faultline {

Status register_builtin_faults(Registry& registry) {
  for (auto* add : {&make_process_kill_type, &make_process_pause_type, &make_exec_fault_type,
                    &make_redis_failover_type}) {
    if (Status added = registry.add(add()); !added) return added;
  }
  for (auto* add : {&make_network_partition_type, &make_network_netem_type}) {
    if (Status added = registry.add(add()); !added) return added;
  }
  for (auto* add : {&make_postgres_failover_type, &make_postgres_switchover_type,
                    &make_postgres_replication_lag_type}) {
    if (Status added = registry.add(add()); !added) return added;
  }
  for (auto& type : make_proxy_fault_types()) {
    if (Status added = registry.add(std::move(type)); !added) return added;
  }
  return {};
}

}  // namespace faultline
