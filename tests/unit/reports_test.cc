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
