#include "reports/reports.h"

#include <catch2/catch.hpp>

#include "runner/core/files.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

Json sample_record(const std::string& verdict, bool rto_met) {
  return Json{
      {"schema", "faultline.record/v1"},
      {"id", "20261124T000000Z-demo-abcdef"},
      {"plan", {{"name", "demo"}, {"sha256", "00ff"}}},
      {"host", "box"},
      {"started_at", "2026-11-24T00:00:00.000Z"},
      {"duration_ms", 2500},
      {"verdict", verdict},
      {"exit_code", verdict == "passed" ? 0 : 1},
      {"reason", "a <reason> & more"},
      {"steady_state", {{"recovered_after", 2}}},
      {"objectives",
       {{"rto",
         {{"target_ms", 500.0}, {"achieved_ms", rto_met ? 400.0 : 1200.5}, {"met", rto_met}}}}},
      {"probes", Json::array({Json{
                     {"name", "health"},
                     {"summary", {{"passed", 3}, {"failed", 1}}},
                     {"samples", Json::array({Json{{"ok", false}, {"detail", "refused"}},
                                              Json{{"ok", true}, {"detail", "status 200"}},
                                              Json{{"ok", true}, {"detail", "status 200"}}})}}})},
  };
}

}  // namespace

TEST_CASE("a record is written as <id>.json and reads back the same") {
  TempDir dir;
  Json record = sample_record("passed", true);
  auto path = write_record(record, dir.file("records/nested"));
  REQUIRE(path.ok());
  CHECK(*path == dir.file("records/nested/20261124T000000Z-demo-abcdef.json"));
  CHECK(Json::parse(*read_file(*path)) == record);
}

TEST_CASE("JUnit has a case per objective and probe, and escapes text") {
  std::string passed = junit_xml(sample_record("passed", true));
  CHECK(passed.find("<testsuite name=\"faultline.demo\" tests=\"3\" failures=\"0\" errors=\"0\" "
                    "time=\"2.500\"") != std::string::npos);
  CHECK(passed.find(
            "<testcase classname=\"faultline.demo.objectives\" name=\"rto\" time=\"0.000\"/>") !=
        std::string::npos);
  CHECK(passed.find(
            "<testcase classname=\"faultline.demo.probes\" name=\"health\" time=\"0.000\"/>") !=
        std::string::npos);
  CHECK(passed.find("value=\"a &lt;reason&gt; &amp; more\"") != std::string::npos);

  std::string missed = junit_xml(sample_record("failed", false));
  CHECK(missed.find("failures=\"1\" errors=\"0\"") != std::string::npos);
  CHECK(missed.find("<failure message=\"rto: target 500 ms, achieved 1200.5 ms\" "
                    "type=\"objective_missed\">") != std::string::npos);

  std::string aborted = junit_xml(sample_record("aborted", true));
  CHECK(aborted.find(
            "<error message=\"aborted: a &lt;reason&gt; &amp; more\" type=\"drill_error\">") !=
        std::string::npos);
}

TEST_CASE("a probe case fails when its last K samples did not all pass") {
  Json record = sample_record("failed", true);
  record["probes"][0]["samples"].push_back(Json{{"ok", false}, {"detail", "timed out"}});
  std::string xml = junit_xml(record);
  CHECK(xml.find("steady state not restored: 1 of the last 2 samples failed (last: timed out)") !=
        std::string::npos);
}
