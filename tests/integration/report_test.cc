// `faultline report`: one drill's report from the record store (or a record file) in
// HTML, Markdown and JSON, and a plan's trend across drills. The drills are real runs of
// the binary; every string a plan, a probe or a review supplies must stay text.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "runner/os/files.h"
#include "tests/integration/report_drills.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("a drill's report shows objectives, timeline, continuity and reviews, escaped") {
  TempDir dir;
  ReportDrills drills(dir);
  std::string id = drills.run("report-drill", "5s", kHostileContinuity);
  CliRun review = drills.cli({"records", "review", id, "--lesson", kHostileLesson, "--action",
                              "page the on-call <b>sooner</b>", "--owner", "ops|team", "--due",
                              "2030-01-31", "--operator", "auditor"});
  REQUIRE(review.exit_code == 0);

  CliRun html = drills.cli({"report", id.substr(0, 20), "-o", dir.file("report.html")});
  INFO(html.out << html.err);
  REQUIRE(html.exit_code == 0);
  CHECK(mentions(html.out, "report written to " + dir.file("report.html")));
  std::string page = text_of(dir.file("report.html"));
  // Self-contained: no script, no external asset, one SVG (the timeline).
  CHECK_FALSE(mentions(page, "<script"));
  CHECK_FALSE(mentions(page, "src="));
  CHECK_FALSE(mentions(page, "href="));
  CHECK(count_of(page, "<svg") == 1);
  CHECK(count_of(page, "</svg>") == 1);
  CHECK(mentions(page, "<svg id=\"timeline\""));
  // Plan-supplied text stays text.
  CHECK(mentions(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(mentions(page, "&lt;/svg&gt;&lt;b&gt;bold&lt;/b&gt;"));
  CHECK(mentions(page, "&lt;/svg&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
  CHECK_FALSE(mentions(page, "<b>"));
  // What an auditor looks for.
  CHECK(mentions(page, "<td>rto</td><td>5s</td>"));
  CHECK(mentions(page, "<td>availability</td><td>10.00%</td>"));
  CHECK(mentions(page, "fault flag (exec): injected"));  // the fault window in the SVG
  CHECK(mentions(page, "flag: failing"));                // the probe's failing span
  CHECK(mentions(page, "recovery point"));
  CHECK(mentions(page, "not measured (the drill has no write workload)"));
  CHECK(mentions(page, "<th>emergency plan</th><td>EP-7 version 3.2</td>"));
  CHECK(mentions(page, "<th>objectives claim</th><td>tier 6 (on rto; without rpo)</td>"));
  CHECK(mentions(page, "<td>alice</td><td>commander</td>"));
  CHECK(mentions(page, "page the on-call &lt;b&gt;sooner&lt;/b&gt;"));
  CHECK(mentions(page, "<td>ops|team</td><td>2030-01-31</td><td>open</td>"));
  CHECK(mentions(page, "· unsigned"));

  CliRun md = drills.cli({"report", id, "--format", "md"});
  INFO(md.err);
  REQUIRE(md.exit_code == 0);
  CHECK(mentions(md.out, "# Drill report: report-drill\n"));
  CHECK(mentions(md.out, "| rto | 5s |"));
  CHECK(mentions(md.out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(mentions(md.out, "| ops\\|team | 2030-01-31 | open |"));
  CHECK(mentions(md.out, "| probe flag | FAILING |"));
  CHECK(mentions(md.out, "| fault flag | injected |"));
  CHECK_FALSE(mentions(md.out, "<script"));
  CHECK_FALSE(mentions(md.out, "<svg"));

  CliRun json = drills.cli({"report", id, "--format", "json"});
  REQUIRE(json.exit_code == 0);
  Json out = Json::parse(json.out);
  CHECK(out["record"]["id"] == id);
  CHECK(out["record"]["plan"]["continuity"]["service"] == "<script>alert(1)</script>");
  REQUIRE(out["reviews"].size() == 1);
  CHECK(out["actions"][0]["owner"] == "ops|team");
  CHECK(out["ledger"]["seq"] == 1);
}

TEST_CASE("a report of a record file says whether the ledger holds the same record") {
  TempDir dir;
  ReportDrills drills(dir);
  std::string id = drills.run("file-drill", "5s", "");
  std::string path = drills.record_path(id);
  CliRun same = drills.cli({"report", path, "--format", "md"});
  INFO(same.err);
  REQUIRE(same.exit_code == 0);
  CHECK(mentions(same.out, "| ledger | entry 1 · hash "));
  CHECK_FALSE(mentions(same.out, "DIFFERS"));

  // A hand-edited copy: a hostile plan name (the loader would refuse it) and a verdict.
  Json record = read_json(path);
  record["plan"]["name"] = "x</svg><script>alert(3)</script>";
  record["verdict"] = "passed\"><script>";
  std::string edited = dir.write("edited.json", json_text(record));
  CliRun html = drills.cli({"report", edited});
  INFO(html.err);
  REQUIRE(html.exit_code == 0);
  CHECK(mentions(html.out, "THE FILE DIFFERS FROM THE LEDGER&apos;S COPY OF THIS RECORD"));
  CHECK(mentions(html.out, "<title>Drill report: x&lt;/svg&gt;&lt;script&gt;alert(3)"));
  CHECK(mentions(html.out, "<span class=\"verdict other\">passed&quot;&gt;&lt;script&gt;</span>"));
  CHECK_FALSE(mentions(html.out, "<script"));

  // Without any store, a record file still gives a report, and says why no reviews.
  CliRun alone = run_cli({"report", edited, "--store", dir.file("nowhere.db"), "--format", "md"});
  INFO(alone.err);
  CHECK(alone.exit_code == 0);
  CHECK(mentions(alone.out, "no record store to read reviews from"));
}

TEST_CASE("report refuses what it cannot show, naming it, with exit 2") {
  TempDir dir;
  ReportDrills drills(dir);
  std::string id = drills.run("refused-drill", "5s", "");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  std::string corrupt = dir.write("corrupt.json", "{\"id\": \"x\", \"verdict\": ");
  std::string array = dir.write("array.json", "[1, 2]");
  for (const auto& [args, says] : std::vector<Case>{
           {{"report", "nosuch"}, "no drill record 'nosuch' in the record store"},
           {{"report", corrupt}, "corrupt.json is not a drill record (not a JSON object)"},
           {{"report", array}, "array.json is not a drill record"},
           {{"report", dir.file("missing.json")}, "missing.json"},
           {{"report", dir.path()}, dir.path()},
           {{"report"}, "needs a drill ID"},
           {{"report", "x", "--trend", "--plan", "p"}, "not both"},
           {{"report", "--trend"}, "--trend needs --plan NAME"},
           {{"report", "--trend", "--plan", "p", "--format", "json"}, "records list --plan"},
           {{"report", id, "--format", "pdf"}, "takes html, md or json, not 'pdf'"},
           {{"report", id, "-o", dir.file("no/such/dir/r.html")}, "no/such/dir"},
       }) {
    CliRun run = drills.cli(args);
    INFO(fmt::format("{}", fmt::join(args, " ")) << "\n" << run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK(mentions(run.err, says));
  }
  CliRun no_store = run_cli({"report", "x", "--store", dir.file("nowhere.db")});
  CHECK(no_store.exit_code == 2);
  CHECK(mentions(no_store.err, "nowhere.db"));
}

TEST_CASE("a huge record gives a bounded report, quickly") {
  TempDir dir;
  // 200,000 rounds flapping between pass and fail, 2,000 faults and outages, 50,000 events.
  Json samples = Json::array();
  for (int i = 0; i < 200000; ++i) {
    samples.push_back(Json{{"t_ms", 50.0 * i + 50}, {"started_ms", 50.0 * i}, {"ok", i % 3 != 0}});
  }
  Json faults = Json::array(), outages = Json::array(), events = Json::array();
  for (int i = 0; i < 2000; ++i) {
    faults.push_back(Json{{"name", fmt::format("f{}", i)},
                          {"type", "exec"},
                          {"injected_at_ms", 5000.0 * i},
                          {"rolled_back_at_ms", 5000.0 * i + 100}});
    outages.push_back(Json{{"began_ms", 5000.0 * i},
                           {"recovered_ms", 5000.0 * i + 200},
                           {"duration_ms", 200},
                           {"fault", fmt::format("f{}", i)}});
  }
  for (int i = 0; i < 50000; ++i) {
    events.push_back(Json{{"t_ms", i}, {"kind", "probe"}, {"name", "p"}, {"detail", "x"}});
  }
  Json record{{"id", "huge"},
              {"plan", {{"name", "huge"}}},
              {"verdict", "failed"},
              {"duration_ms", 1e7},
              {"probes", Json::array({Json{{"name", "p"}, {"samples", samples}}})},
              {"faults", faults},
              {"measurements", {{"outages", outages}}},
              {"timeline", events}};
  std::string path = dir.write("huge.json", json_text(record));
  for (const char* format : {"html", "md"}) {
    auto started = std::chrono::steady_clock::now();
    CliRun run = run_cli({"report", path, "--format", format, "--store", dir.file("none.db")});
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    INFO(format << " " << run.err << " " << seconds << " s, " << run.out.size() << " bytes");
    CHECK(run.exit_code == 0);
    CHECK(run.out.size() < 1'500'000);
    CHECK(mentions(run.out, "more row(s) not shown"));
    CHECK(seconds < 20);
  }
}

TEST_CASE("a plan's trend shows achieved against target across its drills, oldest first") {
  TempDir dir;
  ReportDrills drills(dir);
  std::vector<std::string> ids;
  ids.push_back(drills.run("trend-plan", "5s", ""));
  ids.push_back(drills.run("trend-plan", "1ms", ""));  // the same plan, a target it misses
  ids.push_back(drills.run("trend-plan", "5s", ""));
  drills.run("other-plan", "5s", "");

  CliRun md = drills.cli({"report", "--trend", "--plan", "trend-plan", "--format", "md"});
  INFO(md.out << md.err);
  REQUIRE(md.exit_code == 0);
  CHECK(mentions(md.out, "# Trend: trend-plan\n"));
  CHECK(mentions(md.out, "3 drill(s) of plan trend-plan from "));
  CHECK(mentions(md.out, "rto: met in 2 of 3 judged drill(s) · availability: met in "));
  CHECK(mentions(md.out,
                 "| started (UTC) | drill | verdict | rto achieved / target | "
                 "availability achieved / target |"));
  size_t first = md.out.find(ids[0]), second = md.out.find(ids[1]), third = md.out.find(ids[2]);
  REQUIRE(first != std::string::npos);
  CHECK(first < second);
  CHECK(second < third);
  CHECK(mentions(md.out, "/ 1ms missed |"));
  CHECK(count_of(md.out, "/ 5s met |") == 2);
  CHECK_FALSE(mentions(md.out, "other-plan"));

  CliRun html = drills.cli({"report", "--trend", "--plan", "trend-plan", "-o", dir.file("t.html")});
  INFO(html.err);
  REQUIRE(html.exit_code == 0);
  std::string page = text_of(dir.file("t.html"));
  CHECK(count_of(page, "<svg") == 1);
  CHECK(mentions(page, "<svg id=\"trend\""));
  CHECK(count_of(page, "<circle") == 3);              // one achieved rto per drill
  CHECK(count_of(page, "fill=\"#cf222e\"") == 1);     // the one that missed
  CHECK(mentions(page, "stroke-dasharray=\"6 4\""));  // the target line
  CHECK_FALSE(mentions(page, "<script"));

  CliRun none = drills.cli({"report", "--trend", "--plan", "no-such-plan", "--format", "md"});
  CHECK(none.exit_code == 0);
  CHECK(mentions(none.out, "No drill of plan no-such-plan in sqlite:"));
  CliRun since = drills.cli(
      {"report", "--trend", "--plan", "trend-plan", "--since", "2100-01-01", "--format", "md"});
  CHECK(mentions(since.out, "No drill of plan trend-plan"));
}
