#pragma once
// The network fault types: nftables partitions, netem (delay/loss on a device), and the
// proxy faults (toxics on the drill's proxies or on a Toxiproxy-compatible server).
#include <memory>
#include <vector>

#include "runner/core/fault.h"

namespace faultline {

// network.partition: drops or rejects traffic between addresses, through one nftables
// table per drill; rolled back by deleting the fault's chains (and the table with the
// last of them).
std::unique_ptr<FaultType> make_network_partition_type();
// network.netem: delay, loss and duplication on a device with tc's netem qdisc.
std::unique_ptr<FaultType> make_network_netem_type();
// network.latency, .bandwidth, .timeout, .reset, .slow_close, .slicer, .limit_data,
// .down and http.fault (on a proxy the plan declares), and network.toxiproxy (the same
// on a Toxiproxy-compatible server over HTTP).
std::vector<std::unique_ptr<FaultType>> make_proxy_fault_types();

}  // namespace faultline
