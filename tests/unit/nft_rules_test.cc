// network.partition's nftables text: names, scripts and the safety rules, exactly.
#include "faults/network/partition/nft_rules.h"

#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

IpPrefix ip(const std::string& text) {
  auto parsed = parse_ip_prefix(text);
  REQUIRE(parsed.ok());
  return *parsed;
}

Result<std::unique_ptr<Fault>> partition(const Json& params) {
  const FaultType* type = builtin_registry().fault_type("network.partition");
  REQUIRE(type != nullptr);
  Json full{{"protocol", "all"}, {"direction", "both"}, {"action", "drop"}};
  full.update(params);
  return type->configure(Params(full));
}

}  // namespace

TEST_CASE("addresses and prefixes are parsed, re-printed canonically, and host bits refused") {
  CHECK(ip("10.0.0.5").text() == "10.0.0.5");
  CHECK(ip("10.0.0.0/24").text() == "10.0.0.0/24");
  CHECK(ip("fd00:0::1").text() == "fd00::1");
  CHECK(ip("fd00::/64").text() == "fd00::/64");
  CHECK(ip("10.0.0.0/24").contains(ip("10.0.0.9")));
  CHECK_FALSE(ip("10.0.0.0/24").contains(ip("10.0.1.9")));
  CHECK(ip("10.0.0.9").overlaps(ip("10.0.0.0/24")));
  CHECK(parse_ip_prefix("10.0.0.5/24").error().message ==
        "'10.0.0.5/24' has host bits set under its /24 prefix; write 10.0.0.0/24");
  for (const char* bad : {"10.0.0.300", "10.0.0.1; flush ruleset", "host.example", "10.0.0.0/33",
                          "10.0.0.0/", "10.0.0.0/-1", "fd00::/129", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_ip_prefix(bad).ok());
  }
}

TEST_CASE("the drill's table and a fault's chains get names nft takes as they are") {
  CHECK(nft_table_name("20261125T043204Z-web.restart-e806b0") ==
        "faultline_20261125T043204Z_web_restart_e806b0");
  std::string long_id = "20261125T043204Z-" + std::string(300, 'x') + "-e806b0";
  std::string table = nft_table_name(long_id);
  CHECK(table.size() <= 100);
  CHECK(table.substr(table.size() - 7) == "_e806b0");
  CHECK(is_nft_name(table));
  auto dash = nft_chain_names("cut-db");
  auto underscore = nft_chain_names("cut_db");
  REQUIRE(dash.size() == 3);
  CHECK(dash[0] != underscore[0]);
  for (const auto& chain : dash) CHECK(is_nft_name(chain));
  CHECK_FALSE(is_nft_name("x; flush ruleset"));
  CHECK_FALSE(is_nft_name(""));
}

TEST_CASE("a two-way TCP partition on one port is one transaction of three chains") {
  PartitionRules rules;
  rules.from = {ip("198.18.77.1")};
  rules.to = {ip("198.18.77.2"), ip("fd00::2")};
  rules.ports = {5432};
  rules.protocol = PartitionProtocol::tcp;
  std::string script = nft_add_script("faultline_d", {"c_in", "c_out", "c_fwd"}, rules);
  CHECK(script ==
        "add table inet faultline_d\n"
        "add chain inet faultline_d c_in { type filter hook input priority -10; policy accept; }\n"
        "add rule inet faultline_d c_in ip saddr { 198.18.77.1 } ip daddr { 198.18.77.2 } meta "
        "l4proto tcp th dport { 5432 } drop\n"
        "add rule inet faultline_d c_in ip saddr { 198.18.77.2 } ip daddr { 198.18.77.1 } meta "
        "l4proto tcp th sport { 5432 } drop\n"
        "add chain inet faultline_d c_out { type filter hook output priority -10; policy accept; "
        "}\n"
        "add rule inet faultline_d c_out ip saddr { 198.18.77.1 } ip daddr { 198.18.77.2 } meta "
        "l4proto tcp th dport { 5432 } drop\n"
        "add rule inet faultline_d c_out ip saddr { 198.18.77.2 } ip daddr { 198.18.77.1 } meta "
        "l4proto tcp th sport { 5432 } drop\n"
        "add chain inet faultline_d c_fwd { type filter hook forward priority -10; policy "
        "accept; }\n"
        "add rule inet faultline_d c_fwd ip saddr { 198.18.77.1 } ip daddr { 198.18.77.2 } meta "
        "l4proto tcp th dport { 5432 } drop\n"
        "add rule inet faultline_d c_fwd ip saddr { 198.18.77.2 } ip daddr { 198.18.77.1 } meta "
        "l4proto tcp th sport { 5432 } drop\n");
  CHECK(rules.describe() == "drop 198.18.77.1 -> 198.18.77.2, fd00::2 tcp port 5432, both ways");
}

TEST_CASE("removal flushes and deletes the fault's chains, and the table only when last") {
  CHECK(nft_remove_script("faultline_d", {"c_in"}, false) ==
        "flush chain inet faultline_d c_in\ndelete chain inet faultline_d c_in\n");
  CHECK(nft_remove_script("faultline_d", {}, true) == "delete table inet faultline_d\n");
  CHECK(chains_in_listing("table inet faultline_d {\n\tchain c_in {\n\t\ttype filter hook input "
                          "priority -10; policy accept;\n\t}\n\tchain c_out {\n\t}\n}\n") ==
        std::vector<std::string>{"c_in", "c_out"});
}

TEST_CASE("a partition never cuts loopback, nor a prefix wider than /8 or /16") {
  auto loop = partition({{"from", {"198.18.0.1"}}, {"to", {"127.0.0.1"}}});
  REQUIRE_FALSE(loop.ok());
  CHECK(loop.error().field == "to");
  CHECK(mentions(loop.error().message, "includes loopback addresses"));
  CHECK_FALSE(partition({{"from", {"::1"}}, {"to", {"fd00::2"}}}).ok());
  CHECK_FALSE(partition({{"from", {"::ffff:127.0.0.1"}}, {"to", {"::ffff:198.18.0.2"}}}).ok());
  auto everything = partition({{"from", {"198.18.0.1"}}, {"to", {"0.0.0.0/0"}}});
  REQUIRE_FALSE(everything.ok());
  CHECK(mentions(everything.error().message, "includes loopback"));
  auto half = partition({{"from", {"198.18.0.1"}}, {"to", {"128.0.0.0/1"}}});
  REQUIRE_FALSE(half.ok());
  CHECK(mentions(half.error().message, "is wider than /8"));
  auto families = partition({{"from", {"198.18.0.1"}}, {"to", {"fd00::2"}}});
  REQUIRE_FALSE(families.ok());
  CHECK(mentions(families.error().message, "share no address family"));
  auto port = partition({{"from", {"198.18.0.1"}}, {"to", {"198.18.0.2"}}, {"ports", {"99999"}}});
  REQUIRE_FALSE(port.ok());
  CHECK(port.error().field == "ports");
  CHECK(partition({{"from", {"198.18.0.1"}}, {"to", {"10.0.0.0/8"}}}).ok());
}
