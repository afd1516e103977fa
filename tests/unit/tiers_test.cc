// Recovery tiers and continuity metadata: which tier figures meet, read from the record's
// objectives whatever they are, and the plan's continuity section.
#include "reports/tiers.h"

#include <catch2/catch.hpp>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

Json record_with(const Json& objectives) {
  return Json{{"plan", {{"name", "p"}, {"continuity", {{"tier", "5"}}}}},
              {"objectives", objectives}};
}

}  // namespace

TEST_CASE("GB/T 20988 tiers: achieved and claimed, judged only on the figures measured") {
  // RTO 40 min achieved (misses level 6's 30 min), RPO 10 min: level 5.
  Json both{{"rto", {{"target_ms", 20 * 60000}, {"achieved_ms", 40 * 60000}}},
            {"rpo", {{"target_ms", 0}, {"achieved_ms", 10 * 60000}}}};
  Json tiers = assess_tiers(record_with(both), default_tier_table());
  CHECK(tiers["table"] == "GB/T 20988-2007 disaster recovery capability levels");
  CHECK(tiers["plan_tier"] == "5");
  CHECK(tiers["achieved"]["tier"] == "5");
  CHECK(tiers["claimed"]["tier"] == "6");
  CHECK(tiers["achieved"]["judged_on"] == Json::array({"rpo", "rto"}));

  // An RPO of 2 days meets only levels 1 and 2.
  Json slow{{"rpo", {{"target_ms", 3600000}, {"achieved_ms", 48 * 3600000.0}}}};
  CHECK(assess_tiers(record_with(slow), default_tier_table())["achieved"]["tier"] == "2");

  // No RPO measured: judged on RTO alone, and it says so.
  Json rto_only{{"rto", {{"target_ms", 5000}, {"achieved_ms", 1300}}},
                {"availability", {{"target_percent", 99}, {"achieved_percent", 100}}}};
  Json partial = assess_tiers(record_with(rto_only), default_tier_table());
  CHECK(partial["achieved"]["tier"] == "6");
  CHECK(partial["achieved"]["not_measured"] == Json::array({"rpo"}));

  // Nothing measured (an aborted drill): no tier.
  Json aborted{{"rto", {{"target_ms", 5000}, {"achieved_ms", nullptr}}}};
  CHECK(assess_tiers(record_with(aborted), default_tier_table())["achieved"]["tier"].is_null());
}

TEST_CASE("a team's own tier table is read from JSON, and its mistakes are named") {
  TempDir dir;
  auto table = read_tier_table(
      dir.write("tiers.json", R"({"name": "ours", "tiers": [{"name": "bronze", "rto": "4h"},
                     {"name": "gold", "rto": "5m", "rpo": "0s"}]})"));
  REQUIRE(table.ok());
  Json fast{{"rto", {{"achieved_ms", 60000}}}, {"rpo", {{"achieved_ms", 0}}}};
  CHECK(assess_tiers(record_with(fast), *table)["achieved"]["tier"] == "gold");
  auto bad = read_tier_table(dir.write("bad.json", R"({"name": "x", "tiers": [{"name": "a",
                                                      "rto": "soon"}]})"));
  REQUIRE_FALSE(bad.ok());
  CHECK(mentions(bad.error().message, "tier a"));
}

TEST_CASE("a plan's continuity metadata is read, and a wrong role is pointed at") {
  std::string text = yaml(R"(
version: 1
name: pay
continuity:
  service: payments
  impact: high
  scope: [payments-api, payments-db]
  emergency_plan: {ref: EP-PAY-7, version: "3.2"}
  participants:
    - {name: alice, role: commander}
    - {name: bob, role: operator}
  tier: "5"
steady_state:
  probes:
    - {name: alive, exec: {command: ["true"]}}
faults:
  - {name: flag, type: exec, at: 0s, params: {inject: ["true"]}}
)");
  Plan plan = loaded(text);
  CHECK(plan.continuity.service == "payments");
  CHECK(plan.continuity.scope == std::vector<std::string>{"payments-api", "payments-db"});
  CHECK(plan.continuity.emergency_plan == "EP-PAY-7");
  CHECK(plan.continuity.emergency_plan_version == "3.2");
  REQUIRE(plan.continuity.participants.size() == 2);
  CHECK(plan.continuity.participants[0].role == "commander");
  CHECK(plan.continuity.tier == "5");

  std::string wrong = text;
  wrong.replace(wrong.find("role: operator"), 14, "role: pilot");
  PlanLoad result = load(wrong);
  INFO(rendered(result, wrong));
  CHECK(mentions(rendered(result, wrong),
                 "plan.yaml:10:25: error: role 'pilot' is not one of commander, operator, "
                 "observer"));
}
