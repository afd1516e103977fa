#pragma once
// The nftables side of network.partition, as pure text: the table and chain names a
// drill uses, the script that adds a partition and the one that removes it. Every
// value in a script comes from a parsed, checked PartitionRules (addresses re-printed
// from bytes, ports as numbers, names reduced to [A-Za-z0-9_]), never from plan text.
#include <string>
#include <vector>

#include "faults/network/partition/ip_prefix.h"
#include "runner/core/result.h"

namespace faultline {

enum class PartitionProtocol { all, tcp, udp };

struct PartitionRules {
  std::vector<IpPrefix> from, to;
  std::vector<int> ports;  // destination ports on the `to` side; empty = every port
  PartitionProtocol protocol = PartitionProtocol::all;
  bool both_ways = true;  // also from `to` back to `from`
  bool reject = false;    // answer with an ICMP error (connection refused) instead of silence

  // "drop 10.0.0.1 -> 10.0.0.2 tcp port 5432, both ways"
  std::string describe() const;
};

// The safety rules a partition must pass whatever the host (see the README's "Network
// faults"): no loopback address, no prefix wider than /8 (IPv4) or /16 (IPv6), and
// `from` and `to` must share an address family. The error names the param it is about.
Status check_partition(const PartitionRules& rules);

// `faultline_<drill id>`, reduced to [A-Za-z0-9_] and at most 100 characters.
std::string nft_table_name(const std::string& drill_id);
// The base chains (input, output, forward hooks) a fault adds to the drill's table.
std::vector<std::string> nft_chain_names(const std::string& fault_name);

// One `nft -f` transaction: the table (if new), the fault's chains and their rules.
std::string nft_add_script(const std::string& table, const std::vector<std::string>& chains,
                           const PartitionRules& rules);
// Removes `chains` (those still there) and then, when `delete_table`, the table.
std::string nft_remove_script(const std::string& table, const std::vector<std::string>& chains,
                              bool delete_table);
// The chain names in the output of `nft list table inet NAME`.
std::vector<std::string> chains_in_listing(const std::string& listing);

// Whether a table or chain name is one faultline could have made ([A-Za-z0-9_], not
// empty, at most 100): a journal is a file, and its names are checked before use.
bool is_nft_name(const std::string& name);

}  // namespace faultline
