// Drills and reviews through the real binary, against each backend: several drills at
// once append to one ledger without losing a record or forking the chain; reviews and
// corrective actions are appended entries, and closing an action is one more.
#include <fmt/format.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <set>

#include "reports/store/ledger_entries.h"
#include "tests/store/store_fixture.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

CliRun records_cli(const TestStore& store, std::vector<std::string> args) {
  args.insert(args.begin(), "records");
  if (args[1] == "review" || args[1] == "close") args.insert(args.end(), {"--operator", "auditor"});
  args.insert(args.end(), {"--store", store.location()});
  return run_cli_env(args, "", {});
}

}  // namespace

TEST_CASE("drills run at once each land in one ledger, chained one after another") {
  TempDir dir;
  TestStore test_store(dir);
  constexpr int kDrills = 4;
  std::vector<std::unique_ptr<OwnedProcess>> drills;
  for (int i = 0; i < kDrills; ++i) {
    std::string name = fmt::format("parallel-{}", i);
    std::string plan = dir.write(
        name + ".yaml",
        fast_plan(name, "  - {name: flag, type: exec, at: 0s, params: {inject: [\"true\"]}}\n",
                  kAlwaysPasses,
                  "objectives: {rto: 5s}\ncontinuity: {service: payments, impact: high, "
                  "emergency_plan: {ref: EP-7, version: \"3.2\"}, tier: \"5\", "
                  "participants: [{name: alice, role: commander}]}\n"));
    std::string home = dir.file("home-" + std::to_string(i));
    drills.push_back(
        start_cli({"--home", home, "run", plan, "-q", "--store", test_store.location()},
                  dir.file(name + ".log"), {{"FAULTLINE_LOCK_DIR", home + "/locks"}}));
  }
  for (int i = 0; i < kDrills; ++i) {
    int status = drills[i]->wait(Millis(60000));
    INFO(text_of(dir.file(fmt::format("parallel-{}.log", i))));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto store = test_store.open();
  auto entries = all_entries(*store);
  REQUIRE(entries.size() == kDrills);
  std::set<std::string> plans;
  for (const auto& entry : entries) {
    plans.insert(entry.plan);
    CHECK(entry.kind == "record");
    CHECK(entry_body(entry)["verdict"] == "passed");
  }
  CHECK(plans.size() == kDrills);
  // Each record carries the plan's continuity metadata and the tiers its figures meet.
  CliRun show = run_cli_env(
      {"records", "show", entries[0].subject, "--store", test_store.location()}, "", {});
  INFO(show.out << show.err);
  CHECK(mentions(show.out,
                 "continuity: service payments · impact high · emergency plan EP-7 "
                 "version 3.2 · tier stated by the plan 5"));
  CHECK(mentions(show.out, "participants: alice (commander)"));
  CHECK(mentions(show.out,
                 "tiers (GB/T 20988-2007 disaster recovery capability levels): "
                 "objectives claim tier 6 (on rto; without rpo) · achieved figures "
                 "meet tier 6 (on rto; without rpo) · the plan states tier 5"));
  auto verified = verify_ledger(*store, {});
  REQUIRE(verified.ok());
  CHECK(verified->ok());
}

TEST_CASE("reviews and corrective actions are appended, and closing one is another entry") {
  TempDir dir;
  TestStore test_store(dir);
  auto store = test_store.open();
  for (const char* id : {"20261101T100000Z-web-aaaaaa", "20261102T100000Z-web-bbbbbb"}) {
    REQUIRE(
        store
            ->append(record_entry(sample_record(id, "web", "failed", "2026-11-01T10:00:00.000Z")),
                     "")
            .ok());
  }

  CliRun late =
      records_cli(test_store, {"review", "20261101T", "--lesson", "failover was manual", "--lesson",
                               "alerts fired late", "--action", "automate failover", "--owner",
                               "alice", "--due", "2020-01-31"});
  INFO(late.out << late.err);
  REQUIRE(late.exit_code == 0);
  CHECK(mentions(late.out, "corrective action A3 for alice, due 2020-01-31"));
  CliRun future =
      records_cli(test_store, {"review", "20261102T100000Z-web-bbbbbb", "--action",
                               "add a runbook step", "--owner", "bob", "--due", "2999-12-31"});
  REQUIRE(future.exit_code == 0);

  CliRun overdue = records_cli(test_store, {"actions", "--overdue"});
  INFO(overdue.out << overdue.err);
  CHECK(mentions(overdue.out, "A3      OVERDUE  due 2020-01-31  owner alice  automate failover"));
  CHECK_FALSE(mentions(overdue.out, "A4"));
  CHECK(mentions(overdue.out, "1 action(s)"));

  CliRun show = records_cli(test_store, {"show", "20261101T100000Z-web-aaaaaa"});
  CHECK(mentions(show.out, "by auditor at "));
  CHECK(mentions(show.out, "lesson: alerts fired late"));

  CliRun closed = records_cli(test_store, {"close", "A3", "--note", "automated in v2"});
  INFO(closed.out << closed.err);
  CHECK(closed.exit_code == 0);
  CHECK(mentions(closed.out, "action A3 closed (ledger entry 5)"));
  CliRun again = records_cli(test_store, {"close", "A3"});
  CHECK(again.exit_code == 2);
  CHECK(mentions(again.err, "action A3 was already closed by auditor"));
  CHECK(records_cli(test_store, {"close", "A99"}).exit_code == 2);

  CliRun open = records_cli(test_store, {"actions", "--open", "--json"});
  Json actions = Json::parse(open.out);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0]["id"] == "A4");
  CliRun all = records_cli(test_store, {"actions", "--json"});
  Json both = Json::parse(all.out);
  REQUIRE(both.size() == 2);
  CHECK(both[0]["state"] == "closed");
  CHECK(both[0]["note"] == "automated in v2");

  // Nothing was edited in place: five entries, chained.
  CliRun verify = records_cli(test_store, {"verify"});
  CHECK(verify.exit_code == 0);
  CHECK(mentions(verify.out, "ledger ok: 5 entries"));

  CliRun bad_due = records_cli(
      test_store, {"review", "20261101T", "--action", "x", "--owner", "a", "--due", "next week"});
  CHECK(bad_due.exit_code == 2);
  CHECK(mentions(bad_due.err, "--due takes a date, YYYY-MM-DD"));
  CliRun no_owner = records_cli(test_store, {"review", "20261101T", "--action", "x"});
  CHECK(no_owner.exit_code == 2);
  CHECK(mentions(no_owner.err, "an --action needs an --owner WHO and a --due DATE"));
}
