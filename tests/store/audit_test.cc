// `faultline audit` against real drills, on each backend. The drills run through the real
// binary at chosen past times: libfaketime (Debian `faketime`, LD_PRELOAD) moves the wall
// clock of the drill's process, and faultline itself has no clock hook.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/store/store_fixture.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

const char* const kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

const std::string kNightly = "schedule: {cron: \"0 2 * * *\", timezone: Europe/Berlin}\n";

// A drill of `plan` whose wall clock starts at `when` (UTC, "2026-03-27 01:10:00").
CliRun drill_at(const TestStore& store, const TempDir& dir, const std::string& plan,
                const std::string& when) {
  std::string home = dir.file("home");
  return run_cli_env({"--home", home, "run", plan, "-q", "--store", store.location()}, "",
                     {{"FAULTLINE_LOCK_DIR", home + "/locks"},
                      {"LD_PRELOAD", kFaketime},
                      {"FAKETIME", "@" + when},
                      {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
                      {"TZ", "UTC"}});
}

CliRun audit(const TestStore& store, const std::string& plans, std::vector<std::string> args) {
  args.insert(args.begin(), {"audit", "--plans", plans, "--store", store.location()});
  return run_cli_env(args, "", {});
}

// The id of the one drill that started at `started` (a prefix of its started_at).
std::string drill_started(const Json& listed, const std::string& started) {
  for (const auto& drill : listed) {
    if (drill["started_at"].get<std::string>().rfind(started, 0) == 0) return drill["id"];
  }
  FAIL("no drill started at " << started << " in " << listed.dump());
  return "";
}

}  // namespace

TEST_CASE("audit: due drills against the drills the store holds, missed ones and overdue actions") {
  REQUIRE(access(kFaketime, R_OK) == 0);  // Debian faketime, installed by .ci/setup
  TempDir dir;
  TestStore store(dir);
  std::string plans = dir.file("plans");
  REQUIRE(std::filesystem::create_directories(plans));
  std::string flag = dir.write("flag", "");
  const std::string passes = kAlwaysPasses;
  const std::string noop = "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n";
  // In the audited folder: a scheduled plan and one without a schedule.
  std::string nightly = plans + "/nightly.yaml";
  {
    std::ofstream(nightly) << fast_plan("nightly", noop, passes, kNightly);
    std::ofstream(plans + "/adhoc.yaml") << fast_plan("adhoc", noop, passes);
  }
  // Elsewhere: the same plan name changed to miss its objective, and to abort at baseline.
  std::string failing = dir.write(
      "nightly-failing.yaml",
      fast_plan("nightly",
                fmt::format("  - {{name: cut, type: exec, at: 0s, duration: 300ms, params: "
                            "{{inject: [rm, {0}], rollback: [touch, {0}]}}}}\n",
                            flag),
                fmt::format("    - {{name: flag, exec: {{command: [test, -e, {}]}}}}\n", flag),
                kNightly + "objectives: {availability: 100%}\n"));
  std::string aborting = dir.write(
      "nightly-aborting.yaml",
      fast_plan("nightly", noop, "    - {name: down, exec: {command: [\"false\"]}}\n", kNightly));
  std::string elsewhere = dir.write("elsewhere.yaml", fast_plan("elsewhere", noop));

  // Europe/Berlin, 02:00 daily: due 03-27 01:00Z, 03-28 01:00Z, 03-29 01:00Z (02:00 is
  // skipped that day: due at 03:00 CEST), 03-30 00:00Z, 03-31 00:00Z.
  CHECK(drill_at(store, dir, nightly, "2026-03-27 01:10:00").exit_code == 0);
  CHECK(drill_at(store, dir, nightly, "2026-03-29 01:05:00").exit_code == 0);
  CHECK(drill_at(store, dir, failing, "2026-03-30 00:20:00").exit_code == 1);
  CHECK(drill_at(store, dir, aborting, "2026-03-31 00:30:00").exit_code == 3);
  CHECK(drill_at(store, dir, plans + "/adhoc.yaml", "2026-03-28 09:00:00").exit_code == 0);
  CHECK(drill_at(store, dir, elsewhere, "2026-03-28 10:00:00").exit_code == 0);

  CliRun listed = run_cli_env({"records", "list", "--json", "--store", store.location()}, "", {});
  REQUIRE(listed.exit_code == 0);
  Json drills = Json::parse(listed.out);
  REQUIRE(drills.size() == 6);
  std::string held_in_gap = drill_started(drills, "2026-03-29T01:05");
  std::string missed_objective = drill_started(drills, "2026-03-30T00:20");
  std::string aborted = drill_started(drills, "2026-03-31T00:30");
  // The record keeps the plan's schedule.
  CliRun shown =
      run_cli_env({"records", "show", held_in_gap, "--json", "--store", store.location()}, "", {});
  REQUIRE(shown.exit_code == 0);
  CHECK(mentions(shown.out, "\"schedule\": {\n"));
  CHECK(mentions(shown.out, "\"cron\": \"0 2 * * *\""));

  // A day whose one due time was held, before any action exists: clean, exit 0.
  CliRun clean = audit(store, plans, {"--since", "2026-03-29", "--until", "2026-03-29T12:00Z"});
  INFO(clean.out << clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(mentions(clean.out, "| nightly | `0 2 * * *` Europe/Berlin | 1 | 1 | 0 | 1 | 0 | 0 |"));
  CHECK(mentions(clean.out,
                 "**clean: every due drill held, every objective met, no action overdue**"));
  // A due time whose window is still open at the end of the period is pending, not missed.
  CliRun pending = audit(
      store, plans, {"--since", "2026-03-31", "--until", "2026-03-31T12:00Z", "--format", "json"});
  CHECK(pending.exit_code == 0);
  Json open = Json::parse(pending.out)["plans"][1];
  CHECK(open["due_times"][0]["state"] == "pending");
  CHECK(open["due_times"][0]["unjudged_drills"] == Json::array({aborted + " (aborted)"}));

  CliRun review = run_cli_env({"records", "review", missed_objective, "--lesson", "cut too long",
                               "--action", "shorten | <the> cut", "--owner", "alice", "--due",
                               "2026-04-01", "--operator", "auditor", "--store", store.location()},
                              "", {});
  REQUIRE(review.exit_code == 0);

  CliRun full =
      audit(store, plans, {"--since", "2026-03-27", "--until", "2026-03-31", "--format", "json"});
  INFO(full.out << full.err);
  CHECK(full.exit_code == 1);
  Json result = Json::parse(full.out);
  CHECK(result["findings"] ==
        Json{{"missed_drills", 2}, {"objectives_missed", 1}, {"overdue_actions", 1}});
  CHECK(result["clean"] == false);
  CHECK(result["other_plans"] == Json::array({{{"plan", "elsewhere"}, {"drills", 1}}}));
  Json adhoc = result["plans"][0];
  CHECK(adhoc["name"] == "adhoc");
  CHECK(adhoc["schedule"].is_null());
  CHECK(adhoc["due"] == 0);
  CHECK(adhoc["executed"] == 1);
  Json plan = result["plans"][1];
  CHECK(plan["schedule"] == Json{{"cron", "0 2 * * *"}, {"timezone", "Europe/Berlin"}});
  CHECK(plan["due"] == 5);
  CHECK(plan["held"] == 3);
  CHECK(plan["missed"] == 2);
  CHECK(plan["executed"] == 4);
  CHECK(plan["other_plan_versions"] == 2);
  std::vector<std::string> states, due_at;
  for (const auto& slot : plan["due_times"]) {
    states.push_back(slot["state"]);
    due_at.push_back(slot["due_at"]);
  }
  CHECK(states == std::vector<std::string>{"held", "missed", "held", "held", "missed"});
  CHECK(due_at == std::vector<std::string>{"2026-03-27T01:00:00.000Z", "2026-03-28T01:00:00.000Z",
                                           "2026-03-29T01:00:00.000Z", "2026-03-30T00:00:00.000Z",
                                           "2026-03-31T00:00:00.000Z"});
  Json gap = plan["due_times"][2];
  CHECK(gap["due_local"] == "2026-03-29 03:00 CEST");
  CHECK(gap["clock"] == "02:00 is skipped that day");
  CHECK(gap["held_by"] == held_in_gap);
  CHECK(plan["due_times"][4]["unjudged_drills"] == Json::array({aborted + " (aborted)"}));
  REQUIRE(plan["objectives_missed"].size() == 1);
  CHECK(plan["objectives_missed"][0]["id"] == missed_objective);
  REQUIRE(plan["overdue_actions"].size() == 1);
  CHECK(plan["overdue_actions"][0]["owner"] == "alice");

  // The same audit in Markdown and HTML: what a ticket and a browser show, escaped.
  CliRun markdown = audit(store, plans, {"--since", "2026-03-27", "--until", "2026-03-31"});
  CHECK(markdown.exit_code == 1);
  CHECK(mentions(markdown.out,
                 "- due 2026-03-28 02:00 CET (2026-03-28T01:00Z): MISSED, no judged "
                 "drill before 2026-03-29T01:00Z"));
  CHECK(mentions(markdown.out, "shorten \\| \\<the\\> cut; owner alice, due 2026-04-01"));
  CHECK(mentions(markdown.out,
                 "**NOT clean: 2 missed drill(s), 1 drill(s) missed objectives, 1 "
                 "corrective action(s) overdue**"));
  std::string html_path = dir.file("audit.html");
  CliRun html = audit(
      store, plans,
      {"--since", "2026-03-27", "--until", "2026-03-31", "--format", "html", "-o", html_path});
  CHECK(html.exit_code == 1);
  CHECK(file_contains(html_path, "shorten | &lt;the&gt; cut"));
  CHECK_FALSE(file_contains(html_path, "<the>"));
}

TEST_CASE(
    "audit refuses what it cannot judge: bad dates, plans that do not load, a missing store") {
  TempDir dir;
  TestStore store(dir);
  std::string plans = dir.file("plans");
  REQUIRE(std::filesystem::create_directories(plans));
  std::string noop = "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n";
  CliRun empty = audit(store, plans, {"--since", "2026-01-01"});
  CHECK(empty.exit_code == 2);
  CHECK(mentions(empty.err, "faultline audit: no plans (*.yaml, *.yml) in " + plans));
  {
    std::ofstream(plans + "/a.yaml") << fast_plan("same", noop, kAlwaysPasses, kNightly);
    std::ofstream(plans + "/b.yaml") << fast_plan("same", noop);
  }
  CliRun twice = audit(store, plans, {"--since", "2026-01-01"});
  CHECK(twice.exit_code == 2);
  CHECK(mentions(twice.err, "are both plan 'same'"));
  std::ofstream(plans + "/b.yaml") << fast_plan(
      "other", noop, kAlwaysPasses, "schedule: {cron: \"0 25 * * *\", timezone: UTC}\n");
  CliRun bad = audit(store, plans, {"--since", "2026-01-01"});
  CHECK(bad.exit_code == 2);
  CHECK(mentions(bad.err, plans + "/b.yaml:3:21: error: hour 25 is out of range 0-23"));
  CHECK(mentions(bad.err, "1 plan(s) in " + plans + " do not load"));
  std::filesystem::remove(plans + "/b.yaml");
  CliRun backwards = audit(store, plans, {"--since", "2026-03-01", "--until", "2026-02-01"});
  CHECK(backwards.exit_code == 2);
  CHECK(mentions(backwards.err, "is not after --since"));
  CliRun no_date = audit(store, plans, {"--since", "last tuesday"});
  CHECK(no_date.exit_code == 2);
  // A store that does not exist is an error, never an empty history that looks clean.
  CliRun missing = run_cli_env(
      {"audit", "--plans", plans, "--since", "2026-01-01", "--store", dir.file("nothing-here.db")},
      "", {});
  CHECK(missing.exit_code == 2);
}
