#include "faults/network/partition/nft_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "runner/core/sha256.h"

namespace faultline {
namespace {

constexpr size_t kMaxName = 100;

std::string reduced(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string joined(const std::vector<IpPrefix>& prefixes, bool v6) {
  std::string out;
  for (const auto& prefix : prefixes) {
    if (prefix.v6 != v6) continue;
    out += (out.empty() ? "" : ", ") + prefix.text();
  }
  return out;
}

std::string port_set(const std::vector<int>& ports) {
  std::string out;
  for (int port : ports) out += (out.empty() ? "" : ", ") + std::to_string(port);
  return "{ " + out + " }";
}

// The match for one direction: `sources` -> `destinations`, the ports on the
// destination side going there (dport) and on the source side coming back (sport).
std::string match(const std::string& family, const std::string& sources,
                  const std::string& destinations, const PartitionRules& rules,
                  const std::string& port_field) {
  std::string text =
      family + " saddr { " + sources + " } " + family + " daddr { " + destinations + " }";
  std::string protocols = rules.protocol == PartitionProtocol::tcp   ? "tcp"
                          : rules.protocol == PartitionProtocol::udp ? "udp"
                          : rules.ports.empty()                      ? ""
                                                                     : "{ tcp, udp }";
  if (!protocols.empty()) text += " meta l4proto " + protocols;
  if (!rules.ports.empty()) text += " th " + port_field + " " + port_set(rules.ports);
  return text;
}

const IpPrefix& loopback(bool v6) {
  static const IpPrefix v4 = *parse_ip_prefix("127.0.0.0/8");
  static const IpPrefix v6_loopback = *parse_ip_prefix("::1");
  return v6 ? v6_loopback : v4;
}

Status check_side(const std::vector<IpPrefix>& side, const std::string& field) {
  if (side.empty()) {
    return Error{ErrorCode::invalid, "'" + field + "' needs at least one address", field};
  }
  static const IpPrefix mapped_loopback = *parse_ip_prefix("::ffff:127.0.0.0/104");
  for (const auto& prefix : side) {
    if (prefix.overlaps(loopback(prefix.v6)) || (prefix.v6 && prefix.overlaps(mapped_loopback))) {
      return Error{ErrorCode::refused,
                   prefix.text() +
                       " includes loopback addresses: a partition never cuts "
                       "loopback, where the runner's probes, proxies and "
                       "Toxiproxy API live; fault a loopback service through a "
                       "proxy (network.down, network.timeout) instead",
                   field};
    }
    int narrowest_allowed = prefix.v6 ? 16 : 8;
    if (prefix.length < narrowest_allowed) {
      return Error{ErrorCode::refused,
                   prefix.text() + " is wider than /" + std::to_string(narrowest_allowed) +
                       ": it would cut this host off from nearly everything (the SSH "
                       "session running the drill, DNS, the package mirror); name the "
                       "peers to partition",
                   field};
    }
  }
  return {};
}

}  // namespace

std::string PartitionRules::describe() const {
  std::string all_from = joined(from, false), all_to = joined(to, false);
  std::string v6_from = joined(from, true), v6_to = joined(to, true);
  std::string sources = all_from + (all_from.empty() || v6_from.empty() ? "" : ", ") + v6_from;
  std::string targets = all_to + (all_to.empty() || v6_to.empty() ? "" : ", ") + v6_to;
  std::string text = std::string(reject ? "reject" : "drop") + " " + sources + " -> " + targets;
  if (protocol != PartitionProtocol::all)
    text += protocol == PartitionProtocol::tcp ? " tcp" : " udp";
  if (!ports.empty()) {
    std::string list;
    for (int port : ports) list += (list.empty() ? "" : ",") + std::to_string(port);
    text += " port " + list;
  }
  return text + (both_ways ? ", both ways" : ", one way");
}

Status check_partition(const PartitionRules& rules) {
  if (Status ok = check_side(rules.from, "from"); !ok) return ok;
  if (Status ok = check_side(rules.to, "to"); !ok) return ok;
  bool v4 = !joined(rules.from, false).empty() && !joined(rules.to, false).empty();
  bool v6 = !joined(rules.from, true).empty() && !joined(rules.to, true).empty();
  if (!v4 && !v6) {
    return Error{ErrorCode::invalid,
                 "'from' and 'to' share no address family (IPv4 on one side, IPv6 on the "
                 "other): nothing would be cut",
                 "to"};
  }
  return {};
}

std::string nft_table_name(const std::string& drill_id) {
  std::string name = "faultline_" + reduced(drill_id);
  if (name.size() > kMaxName) {
    // Keep the start (the time) and the end (the drill's random suffix).
    name = name.substr(0, kMaxName - 21) + "_" + name.substr(name.size() - 20);
  }
  return name;
}

std::vector<std::string> nft_chain_names(const std::string& fault_name) {
  // The hash keeps "a-b" and "a_b" apart after reduction.
  std::string base =
      "p_" + reduced(fault_name).substr(0, 60) + "_" + sha256_hex(fault_name).substr(0, 8);
  return {base + "_in", base + "_out", base + "_fwd"};
}

std::string nft_add_script(const std::string& table, const std::vector<std::string>& chains,
                           const PartitionRules& rules) {
  static const char* const kHooks[] = {"input", "output", "forward"};
  std::string verdict = rules.reject ? "reject" : "drop";
  std::vector<std::string> matches;
  for (bool v6 : {false, true}) {
    std::string sources = joined(rules.from, v6), destinations = joined(rules.to, v6);
    if (sources.empty() || destinations.empty()) continue;
    std::string family = v6 ? "ip6" : "ip";
    matches.push_back(match(family, sources, destinations, rules, "dport"));
    if (rules.both_ways) matches.push_back(match(family, destinations, sources, rules, "sport"));
  }
  std::ostringstream script;
  script << "add table inet " << table << "\n";
  for (size_t i = 0; i < chains.size() && i < 3; ++i) {
    script << "add chain inet " << table << " " << chains[i] << " { type filter hook " << kHooks[i]
           << " priority -10; policy accept; }\n";
    for (const auto& rule : matches) {
      script << "add rule inet " << table << " " << chains[i] << " " << rule << " " << verdict
             << "\n";
    }
  }
  return script.str();
}

std::string nft_remove_script(const std::string& table, const std::vector<std::string>& chains,
                              bool delete_table) {
  std::ostringstream script;
  for (const auto& chain : chains) {
    script << "flush chain inet " << table << " " << chain << "\n"
           << "delete chain inet " << table << " " << chain << "\n";
  }
  if (delete_table) script << "delete table inet " << table << "\n";
  return script.str();
}

std::vector<std::string> chains_in_listing(const std::string& listing) {
  std::vector<std::string> chains;
  std::istringstream lines(listing);
  std::string line;
  while (std::getline(lines, line)) {
    size_t begin = line.find_first_not_of(" \t");
    if (begin == std::string::npos || line.compare(begin, 6, "chain ") != 0) continue;
    std::string name = line.substr(begin + 6);
    name = name.substr(0, name.find_first_of(" {"));
    if (!name.empty()) chains.push_back(name);
  }
  return chains;
}

bool is_nft_name(const std::string& name) {
  return !name.empty() && name.size() <= kMaxName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

}  // namespace faultline
