// The JUnit report: what each kind of drill becomes, and that CI can read it. Validity is
// checked with xmllint (libxml2-utils) against tests/data/junit.xsd.
#include <catch2/catch.hpp>
#include <vector>

#include "reports/reports.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// A drill that ran to the end: its objectives and probes were judged.
Json judged_record(const std::string& verdict, bool rto_met) {
  return Json{
      {"schema", "faultline.record/v1"},
      {"id", "20261124T102553Z-demo-abcdef"},
      {"plan", {{"name", "demo"}, {"sha256", "00ff"}}},
      {"host", "box"},
      {"started_at", "2026-11-24T10:25:53.123Z"},
      {"duration_ms", 2500},
      {"verdict", verdict},
      {"exit_code", verdict == "passed" ? 0 : 1},
      {"reason", "a <reason> & more"},
      {"steady_state", {{"recovered_after", 2}}},
      {"objectives",
       {{"rto",
         {{"target_ms", 500.0},
          {"achieved_ms", rto_met ? 400.0 : 1200.5},
          {"met", rto_met},
          {"status", rto_met ? "met" : "missed"}}}}},
      {"probes", Json::array({Json{
                     {"name", "health"},
                     {"summary", {{"passed", 3}, {"failed", 1}}},
                     {"samples", Json::array({Json{{"ok", false}, {"detail", "refused"}},
                                              Json{{"ok", true}, {"detail", "status 200"}},
                                              Json{{"ok", true}, {"detail", "status 200"}}})}}})},
  };
}

// A drill stopped before its figures were taken (aborted, or interrupted and written
// by recover): its probe never recovered, which must not count against it.
Json stopped_record(const std::string& verdict) {
  Json record = judged_record(verdict, false);
  record["exit_code"] = 3;
  record["reason"] = "baseline unhealthy: health: refused";
  record["objectives"]["rto"] = Json{{"target_ms", 500.0},
                                     {"achieved_ms", nullptr},
                                     {"met", nullptr},
                                     {"status", "not_evaluated"}};
  record["probes"][0]["samples"] = Json::array({Json{{"ok", false}, {"detail", "refused"}}});
  return record;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

size_t occurrences(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// The value of `attribute` in the first <element ...> tag, or "(none)".
std::string attribute_of(const std::string& xml, const std::string& element,
                         const std::string& attribute) {
  size_t tag = xml.find("<" + element + " ");
  size_t at = xml.find(" " + attribute + "=\"", tag);
  if (tag == std::string::npos || at == std::string::npos || at > xml.find('>', tag)) {
    return "(none)";
  }
  at += attribute.size() + 3;
  return xml.substr(at, xml.find('"', at) - at);
}

std::string schema_problems_of_text(const std::string& xml) {
  TempDir dir;
  return junit_schema_problems(dir.write("junit.xml", xml));
}

void check_counts_match_cases(const std::string& xml) {
  INFO(xml);
  CHECK(attribute_of(xml, "testsuite", "tests") == std::to_string(occurrences(xml, "<testcase ")));
  CHECK(attribute_of(xml, "testsuite", "failures") ==
        std::to_string(occurrences(xml, "<failure ")));
  CHECK(attribute_of(xml, "testsuite", "errors") == std::to_string(occurrences(xml, "<error ")));
  CHECK(attribute_of(xml, "testsuite", "skipped") == std::to_string(occurrences(xml, "<skipped ")));
  for (const char* count : {"tests", "failures", "errors"}) {
    CHECK(attribute_of(xml, "testsuites", count) == attribute_of(xml, "testsuite", count));
  }
}

}  // namespace

TEST_CASE("JUnit has a case per objective and probe, and escapes text") {
  std::string passed = junit_xml(judged_record("passed", true));
  CHECK(contains(passed,
                 "<testsuite name=\"faultline.demo\" tests=\"3\" failures=\"0\" errors=\"0\" "
                 "skipped=\"0\" time=\"2.500\""));
  CHECK(contains(
      passed, "<testcase classname=\"faultline.demo.objectives\" name=\"rto\" time=\"0.000\"/>"));
  CHECK(contains(passed,
                 "<testcase classname=\"faultline.demo.probes\" name=\"health\" time=\"0.000\"/>"));
  CHECK(contains(passed, "value=\"a &lt;reason&gt; &amp; more\""));

  std::string missed = junit_xml(judged_record("failed", false));
  CHECK(contains(missed, "failures=\"1\" errors=\"0\" skipped=\"0\""));
  CHECK(contains(missed,
                 "<failure message=\"rto: target 500 ms, achieved 1200.5 ms\" "
                 "type=\"objective_missed\">"));

  std::string rollback = junit_xml(judged_record("rollback_failed", true));
  CHECK(contains(rollback,
                 "<error message=\"rollback_failed: a &lt;reason&gt; &amp; more\" "
                 "type=\"drill_error\">"));
}

TEST_CASE("a probe case fails when its last K samples did not all pass") {
  Json record = judged_record("failed", true);
  record["probes"][0]["samples"].push_back(Json{{"ok", false}, {"detail", "timed out"}});
  std::string xml = junit_xml(record);
  CHECK(contains(xml,
                 "<failure message=\"steady state not restored: 1 of the last 2 samples failed "
                 "(last: timed out); 3 passed, 1 failed in all\" "
                 "type=\"steady_state_not_restored\">"));
}

TEST_CASE("an aborted drill's objectives and probes are skipped, and the drill case errs") {
  std::string xml = junit_xml(stopped_record("aborted"));
  std::string skipped =
      "<skipped message=\"not evaluated: the drill was aborted (baseline unhealthy: health: "
      "refused)\"/>";
  CHECK(contains(xml,
                 "<testcase classname=\"faultline.demo.objectives\" name=\"rto\" time=\"0.000\">\n"
                 "      " +
                     skipped));
  CHECK(contains(xml,
                 "<testcase classname=\"faultline.demo.probes\" name=\"health\" time=\"0.000\">\n"
                 "      " +
                     skipped));
  CHECK(contains(xml,
                 "<testcase classname=\"faultline.demo\" name=\"drill\" time=\"2.500\">\n"
                 "      <error message=\"aborted: baseline unhealthy: health: refused\" "
                 "type=\"drill_error\">"));
  CHECK_FALSE(contains(xml, "<failure"));
  CHECK(contains(xml, "tests=\"3\" failures=\"0\" errors=\"1\" skipped=\"2\""));
}

TEST_CASE("an interrupted drill is skipped as not evaluated, and the drill case errs") {
  std::string xml = junit_xml(stopped_record("interrupted"));
  CHECK(occurrences(xml,
                    "<skipped message=\"not evaluated: the drill was interrupted (baseline "
                    "unhealthy: health: refused)\"/>") == 2);
  CHECK(contains(xml, "<error message=\"interrupted: baseline unhealthy: health: refused\""));
}

TEST_CASE("a record without objective status falls back to met") {
  Json record = judged_record("failed", false);
  record["objectives"]["rto"].erase("status");
  CHECK(contains(junit_xml(record), "type=\"objective_missed\""));

  record["objectives"]["rto"]["met"] = true;
  record["verdict"] = "passed";
  CHECK(attribute_of(junit_xml(record), "testsuite", "failures") == "0");

  // met null: not evaluated, so nothing is judged; a rollback failed during the abort.
  record["objectives"]["rto"]["met"] = nullptr;
  record["verdict"] = "rollback_failed";
  std::string xml = junit_xml(record);
  CHECK(contains(xml, "<skipped message=\"not evaluated: the drill was aborted (a &lt;reason"));
  CHECK(contains(xml, "<error message=\"rollback_failed: "));
}

TEST_CASE("the testsuite counts agree with its cases for every kind of drill") {
  Json probe_down = judged_record("failed", true);
  probe_down["probes"][0]["samples"] = Json::array();
  for (const Json& record : {judged_record("passed", true), judged_record("failed", false),
                             probe_down, judged_record("rollback_failed", true),
                             stopped_record("aborted"), stopped_record("interrupted")}) {
    check_counts_match_cases(junit_xml(record));
  }
}

TEST_CASE("the JUnit timestamp is the UTC start in whole seconds, without a zone") {
  Json record = judged_record("passed", true);
  std::string xml = junit_xml(record);
  CHECK(attribute_of(xml, "testsuite", "timestamp") == "2026-11-24T10:25:53");
  CHECK(contains(xml, "<property name=\"timestamp_zone\" value=\"UTC\"/>"));
  CHECK(contains(xml, "<property name=\"started_at\" value=\"2026-11-24T10:25:53.123Z\"/>"));

  record["started_at"] = "2026-11-24T10:25:53Z";
  CHECK(attribute_of(junit_xml(record), "testsuite", "timestamp") == "2026-11-24T10:25:53");
  // Not a UTC time we can convert: the epoch stands in, and started_at shows the text.
  for (const char* odd : {"2026-11-24T10:25:53+02:00", "2026-02-30T10:25:53Z",
                          "2026-11-24T24:00:00Z", "yesterday", "2026-11-24T10:25:53.Z", ""}) {
    INFO(odd);
    record["started_at"] = odd;
    CHECK(attribute_of(junit_xml(record), "testsuite", "timestamp") == "1970-01-01T00:00:00");
  }
}

TEST_CASE("invalid UTF-8 and forbidden characters cannot break the document") {
  Json record = stopped_record("aborted");
  record["reason"] = std::string("bad \xff\xc3( bytes, \x01 a control, \xEF\xBF\xBE a nonchar");
  record["host"] = "  ";
  std::string xml = junit_xml(record);
  CHECK(contains(xml, "bad \xEF\xBF\xBD\xEF\xBF\xBD( bytes,  a control,  a nonchar"));
  CHECK_FALSE(contains(xml, "\xff"));
  CHECK(attribute_of(xml, "testsuite", "hostname") == "localhost");
  CHECK(schema_problems_of_text(xml).empty());
}

TEST_CASE("JUnit for passed, failed, aborted and interrupted drills is valid against the schema") {
  TempDir dir;
  for (const Json& record : {judged_record("passed", true), judged_record("failed", false),
                             stopped_record("aborted"), stopped_record("interrupted")}) {
    std::string path = dir.file("reports/" + record["verdict"].get<std::string>() + ".xml");
    REQUIRE(write_junit(record, path).ok());
    INFO(path);
    CHECK(junit_schema_problems(path) == "");
  }
}

TEST_CASE("a record we did not write never throws and still gives valid JUnit") {
  std::vector<Json> records = {
      Json(),
      Json::array({1, 2}),
      Json("a string"),
      Json{{"plan", "not an object"},
           {"objectives", Json::array({1, 2})},
           {"probes", Json::object()},
           {"verdict", 7},
           {"reason", nullptr},
           {"host", 5},
           {"started_at", 12},
           {"duration_ms", "long"},
           {"steady_state", "k"},
           {"id", Json{{"a", 1}}}},
      Json{{"plan", {{"name", ""}, {"sha256", 3}}},
           {"objectives",
            {{"rto", "fast"}, {"", {{"met", "yes"}, {"target_ms", "1"}, {"status", 9}}}}},
           {"probes", Json::array({1, Json{{"samples", "x"}},
                                   Json{{"name", ""}, {"samples", Json::array({1, "ok"})}},
                                   Json{{"name", "p"},
                                        {"summary", 4},
                                        {"samples", Json::array({Json{{"ok", "true"}}})}}})},
           {"steady_state", {{"recovered_after", 1e300}}},
           {"duration_ms", -5},
           {"verdict", "passed"}},
      // Names of nothing XML can hold: forbidden characters and noncharacters only.
      Json{{"plan", {{"name", "\x01"}}},
           {"host", "\xEF\xBF\xBF \x02"},
           {"objectives", {{"\x0b", {{"met", false}}}}},
           {"probes", Json::array({Json{{"name", "\xEF\xBF\xBE"}}})},
           {"verdict", "interrupted"}},
  };
  for (const Json& record : records) {
    INFO(json_text(record));
    std::string xml;
    CHECK_NOTHROW(xml = junit_xml(record));
    CHECK(schema_problems_of_text(xml) == "");
    check_counts_match_cases(xml);
  }
}

TEST_CASE("the schema rejects what CI tools reject") {
  std::string valid = junit_xml(judged_record("failed", false));
  REQUIRE(schema_problems_of_text(valid) == "");
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string xml = valid;
    REQUIRE(contains(xml, from));
    return xml.replace(xml.find(from), from.size(), to);
  };
  CHECK_FALSE(schema_problems_of_text(replaced("timestamp=\"2026-11-24T10:25:53\"",
                                               "timestamp=\"2026-11-24T10:25:53Z\""))
                  .empty());
  CHECK_FALSE(schema_problems_of_text(replaced("timestamp=\"2026-11-24T10:25:53\"",
                                               "timestamp=\"2026-11-24T10:25:53.123\""))
                  .empty());
  CHECK_FALSE(schema_problems_of_text(replaced("hostname=\"box\"", "hostname=\"\"")).empty());
  CHECK_FALSE(schema_problems_of_text(replaced("<failure ", "<skipped/><failure ")).empty());
  CHECK_FALSE(schema_problems_of_text(replaced("    <system-out/>\n", "")).empty());
}
