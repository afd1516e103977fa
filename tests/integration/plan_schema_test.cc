// `faultline schema` is a valid JSON Schema (draft 2020-12) that every shipped scenario
// the loader accepts also passes, checked by a real validator (python3-jsonschema).
#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Every scenarios/*.yaml at test time: others add scenarios while this test stands.
std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> plans;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("scenarios"))) {
    if (entry.path().extension() == ".yaml") plans.push_back(entry.path().string());
  }
  std::sort(plans.begin(), plans.end());
  return plans;
}

CliRun validate_against_schema(const std::string& schema, const std::vector<std::string>& plans) {
  std::vector<std::string> args = {source_path("tests/support/validate_plans.py"), schema};
  args.insert(args.end(), plans.begin(), plans.end());
  auto ran = run_command(Command(args), Millis(60000));
  REQUIRE(ran.ok());
  return {ran->exit_code, ran->out, ran->err};
}

}  // namespace

TEST_CASE("every shipped scenario the loader accepts passes the plan JSON Schema") {
  TempDir dir;
  CliRun schema = run_cli({"schema"}, dir.file("home"));
  REQUIRE(schema.exit_code == 0);
  std::string schema_path = dir.write("plan.schema.json", schema.out);
  Json parsed = Json::parse(schema.out);
  CHECK(parsed["$schema"] == "https://json-schema.org/draft/2020-12/schema");

  std::vector<std::string> plans = shipped_scenarios();
  REQUIRE(plans.size() >= 3);
  CliRun checked = validate_against_schema(schema_path, plans);
  INFO(checked.out << checked.err);
  REQUIRE(checked.exit_code == 0);
  CHECK(mentions(checked.out, "schema ok"));
  for (const auto& plan : plans) {
    CliRun loaded = run_cli({"validate", plan}, dir.file("home"));
    INFO(plan << "\n" << loaded.err);
    if (loaded.exit_code == 0) {
      CHECK(mentions(checked.out, "valid " + plan + "\n"));
    } else {
      CHECK(mentions(checked.out, "invalid " + plan + ": "));
    }
  }
  // What the schema says about the broken example, as an editor would underline it.
  std::string invalid = source_path("scenarios/invalid.yaml");
  CHECK(mentions(checked.out, "invalid " + invalid +
                                  ": at /steady_state: Additional properties "
                                  "are not allowed ('intervl' was unexpected)"));
  CHECK(mentions(checked.out, "'process.kil' is not one of"));
}

TEST_CASE("the plan schema knows plugin types and their params") {
  TempDir dir;
  dir.write("plugins/flag.lua", R"lua(faultline.fault {
    name = "team.flag", summary = "a flag",
    params = {{name = "path", kind = "string", required = true, doc = "file to create"},
              {name = "wait", kind = "duration", default = "2s"}},
    inject = function(p) end, rollback = function(s) end})lua");
  CliRun schema = run_cli({"--plugins", dir.file("plugins"), "schema"}, dir.file("home"));
  REQUIRE(schema.exit_code == 0);
  std::string schema_path = dir.write("plan.schema.json", schema.out);
  std::string head =
      "version: 1\nname: p\nsteady_state:\n  probes:\n"
      "    - {lua: \"return true\"}\nfaults:\n";
  std::string good =
      dir.write("good.yaml", head + "  - {name: f, type: team.flag, params: {path: /tmp/x}}\n");
  std::string missing =
      dir.write("missing.yaml", head + "  - {name: f, type: team.flag, params: {wait: 3s}}\n");
  std::string wrong = dir.write(
      "wrong.yaml", head + "  - {name: f, type: team.flag, params: {path: x, wait: soon}}\n");
  CliRun checked = validate_against_schema(schema_path, {good, missing, wrong});
  INFO(checked.out);
  CHECK(mentions(checked.out, "valid " + good + "\n"));
  CHECK(mentions(checked.out, "invalid " + missing +
                                  ": at /faults/0/params: 'path' is a required "
                                  "property"));
  CHECK(mentions(checked.out, "invalid " + wrong + ": at /faults/0/params/wait"));
  Json parsed = Json::parse(schema.out);
  const Json& lua = parsed["$defs"]["probe"]["properties"]["lua"];
  CHECK(lua.dump().find("the same as {code: ...}") != std::string::npos);
}
