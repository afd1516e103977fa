#include <algorithm>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "faults/fault_steps.h"
#include "faults/network/network_faults.h"
#include "faults/network/partition/nft_rules.h"
#include "runner/core/json_reader.h"

namespace faultline {
namespace {

const Millis kNftTimeout{10000};

Result<std::vector<IpPrefix>> parse_side(const std::vector<std::string>& texts,
                                         const std::string& field) {
  std::vector<IpPrefix> side;
  for (const auto& text : texts) {
    auto prefix = parse_ip_prefix(text);
    if (!prefix.ok()) return Error{ErrorCode::invalid, prefix.error().message, field};
    side.push_back(*prefix);
  }
  return side;
}

Result<std::vector<int>> parse_ports(const std::vector<std::string>& texts) {
  std::vector<int> ports;
  for (const auto& text : texts) {
    bool digits = !text.empty() && text.size() <= 5 &&
                  text.find_first_not_of("0123456789") == std::string::npos;
    int port = digits ? std::stoi(text) : 0;
    if (port < 1 || port > 65535) {
      return Error{ErrorCode::invalid, "port '" + text + "' is not a number from 1 to 65535",
                   "ports"};
    }
    ports.push_back(port);
  }
  return ports;
}

// The SSH session this runner was started from, when there is one: "client_ip
// client_port server_ip server_port" in SSH_CONNECTION.
struct SshSession {
  IpPrefix client, server;
  int client_port = 0, server_port = 0;
};

std::optional<SshSession> ssh_session() {
  const char* value = std::getenv("SSH_CONNECTION");
  if (value == nullptr) return std::nullopt;
  std::istringstream words(value);
  std::string client, client_port, server, server_port;
  if (!(words >> client >> client_port >> server >> server_port)) return std::nullopt;
  auto client_ip = parse_ip_prefix(client);
  auto server_ip = parse_ip_prefix(server);
  if (!client_ip.ok() || !server_ip.ok()) return std::nullopt;
  return SshSession{*client_ip, *server_ip, std::atoi(client_port.c_str()),
                    std::atoi(server_port.c_str())};
}

bool covers(const std::vector<IpPrefix>& side, const IpPrefix& address) {
  for (const auto& prefix : side) {
    if (prefix.contains(address)) return true;
  }
  return false;
}

// Whether the partition would cut the SSH session: its two ends on opposite sides (a
// one-way cut of either direction stalls a TCP session), and its port among the ports.
bool cuts(const PartitionRules& rules, const SshSession& session) {
  bool opposite = (covers(rules.from, session.client) && covers(rules.to, session.server)) ||
                  (covers(rules.from, session.server) && covers(rules.to, session.client));
  if (!opposite || rules.protocol == PartitionProtocol::udp) return false;
  if (rules.ports.empty()) return true;
  for (int port : rules.ports) {
    if (port == session.server_port || port == session.client_port) return true;
  }
  return false;
}

class PartitionFault final : public Fault {
 public:
  explicit PartitionFault(PartitionRules rules) : rules_(std::move(rules)) {}

  std::string describe() const override { return rules_.describe(); }

  Status preflight(Target& target) const override {
    if (!target.has_program("nft")) {
      return Error{ErrorCode::not_found, "program 'nft' not found on " + target.name() +
                                             " (Debian: apt-get install nftables)"};
    }
    Command list{{"nft", "list", "tables"}};
    auto listed = target.run(list, kNftTimeout);
    if (!listed.ok()) return listed.error().with_context("nft");
    if (!listed->succeeded()) {
      return step_failure("preflight", list, *listed, kNftTimeout)
          .with_context("nftables cannot be changed on " + target.name() +
                        " (it needs root or CAP_NET_ADMIN)");
    }
    if (auto session = ssh_session(); session && cuts(rules_, *session)) {
      return Error{ErrorCode::refused,
                   "this partition would cut the SSH session the drill runs from (" +
                       session->client.text() + " -> " + session->server.text() + ":" +
                       std::to_string(session->server_port) +
                       ", from SSH_CONNECTION); run the drill from elsewhere or leave that "
                       "peer out"};
    }
    return {};
  }

  Result<Json> inject(FaultContext& context) const override {
    std::string table = nft_table_name(context.drill_id());
    std::vector<std::string> chains = nft_chain_names(context.fault_name());
    Json spec{{"table", table}, {"chains", chains}};
    if (Status journaled = context.journal_before_acting(
            spec, rules_.describe() + " (nftables table inet " + table + ")");
        !journaled) {
      return journaled.error();
    }
    Command add{{"nft", "-f", "-"}};
    add.input = nft_add_script(table, chains, rules_);
    if (Status added = run_fault_step(context, "inject", add, kNftTimeout); !added) {
      return added.error();
    }
    return spec;
  }

 private:
  PartitionRules rules_;
};

class PartitionType final : public FaultType {
 public:
  std::string name() const override { return "network.partition"; }
  std::string summary() const override {
    return "Drop or reject traffic between addresses with nftables (one table per drill).";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"from",
         ParamKind::string_list,
         true,
         nullptr,
         "addresses or prefixes (IPv4, IPv6) on one side",
         {}},
        {"to",
         ParamKind::string_list,
         true,
         nullptr,
         "addresses or prefixes on the other side",
         {}},
        {"ports",
         ParamKind::string_list,
         false,
         nullptr,
         "only these ports on the 'to' side (default: every port)",
         {}},
        {"protocol", ParamKind::choice, false, "all", "which traffic", {"all", "tcp", "udp"}},
        {"direction",
         ParamKind::choice,
         false,
         "both",
         "both: cut both ways; one-way: only from -> to",
         {"both", "one-way"}},
        {"action",
         ParamKind::choice,
         false,
         "drop",
         "drop: silence (clients time out); reject: refused at once",
         {"drop", "reject"}},
    }};
    return schema;
  }

  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    PartitionRules rules;
    auto from = parse_side(params.strings("from"), "from");
    if (!from.ok()) return from.error();
    auto to = parse_side(params.strings("to"), "to");
    if (!to.ok()) return to.error();
    auto ports = parse_ports(params.strings("ports"));
    if (!ports.ok()) return ports.error();
    rules.from = *from;
    rules.to = *to;
    rules.ports = *ports;
    std::string protocol = params.text("protocol");
    rules.protocol = protocol == "tcp"   ? PartitionProtocol::tcp
                     : protocol == "udp" ? PartitionProtocol::udp
                                         : PartitionProtocol::all;
    rules.both_ways = params.text("direction") != "one-way";
    rules.reject = params.text("action") == "reject";
    if (Status ok = check_partition(rules); !ok) return ok.error();
    return std::unique_ptr<Fault>(std::make_unique<PartitionFault>(std::move(rules)));
  }

  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    JsonReader reader(spec, "network.partition rollback");
    auto table = reader.text("table");
    if (!table.ok()) return table.error();
    auto chains = reader.strings_or("chains");
    if (!chains.ok()) return chains.error();
    for (const auto& name : *chains) {
      if (!is_nft_name(name)) return Error{ErrorCode::invalid, "bad chain name in journal"};
    }
    if (!is_nft_name(*table) || table->rfind("faultline_", 0) != 0) {
      return Error{ErrorCode::invalid, "'" + *table + "' is not a table faultline makes"};
    }
    Command list{{"nft", "list", "table", "inet", *table}};
    auto listed = context.run_step("rollback", list, kNftTimeout);
    if (!listed.ok()) return listed.error();
    if (!listed->succeeded()) {
      // Gone already: deleted by an earlier rollback, or never made.
      if (listed->err.find("No such file or directory") != std::string::npos) {
        return Undo::already_undone;
      }
      return step_failure("rollback", list, *listed, kNftTimeout);
    }
    std::vector<std::string> present, others;
    for (const auto& chain : chains_in_listing(listed->out)) {
      bool ours = std::find(chains->begin(), chains->end(), chain) != chains->end();
      (ours ? present : others).push_back(chain);
    }
    if (present.empty() && !others.empty()) return Undo::already_undone;
    Command remove{{"nft", "-f", "-"}};
    remove.input = nft_remove_script(*table, present, /*delete_table=*/others.empty());
    if (Status removed = run_fault_step(context, "rollback", remove, kNftTimeout); !removed) {
      return removed.error();
    }
    return Undo::done;
  }
};

}  // namespace

std::unique_ptr<FaultType> make_network_partition_type() {
  return std::make_unique<PartitionType>();
}

}  // namespace faultline
