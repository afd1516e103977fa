// A plugin's `describe` output is read without trusting it: a wrong type is an error that
// names the type and the field, never an exception.
#include <catch2/catch.hpp>

#include "plugins/exec/describe.h"

using namespace faultline;

namespace {

std::string error_of(const std::string& output) {
  auto parsed = parse_plugin_description(output);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().is(ErrorCode::invalid));
  return parsed.error().message;
}

std::string with_param(const std::string& param) {
  return R"({"protocol": 1, "faults": [{"name": "team.flag", "params": [)" + param + "]}]}";
}

}  // namespace

TEST_CASE("a wrong-typed param field names the type, the param and the field") {
  CHECK(error_of(with_param(R"({"name": "path", "kind": "string", "required": "yes"})")) ==
        "describe 'faults'[0] 'team.flag' param 'path': 'required' must be true or false, not "
        "\"yes\"");
  CHECK(error_of(with_param(R"({"name": "path", "doc": ["a"]})")) ==
        "describe 'faults'[0] 'team.flag' param 'path': 'doc' must be a string, not a list");
  CHECK(error_of(with_param(R"({"name": "path", "kind": 3})")) ==
        "describe 'faults'[0] 'team.flag' param 'path': 'kind' must be a string, not 3");
  CHECK(error_of(with_param(R"({"name": "path", "kind": "float"})")) ==
        "describe 'faults'[0] 'team.flag' param 'path': unknown param kind 'float'");
  CHECK(error_of(with_param(R"({"name": "wait", "kind": "duration", "default": 30})")) ==
        "describe 'faults'[0] 'team.flag' param 'wait': default must be a duration such as "
        "\"30s\", not 30");
  CHECK(error_of(with_param(R"({"name": 5})")) ==
        "describe 'faults'[0] 'team.flag' 'params'[0]: 'name' must be a string, not 5");
}

TEST_CASE("a wrong-typed type field names the type") {
  CHECK(error_of(R"({"protocol": 1, "probes": [{"name": "team.up", "summary": 7}]})") ==
        "describe 'probes'[0] 'team.up': 'summary' must be a string, not 7");
  CHECK(error_of(R"({"protocol": 1, "probes": [{"name": "team.up", "params": {}}]})") ==
        "describe 'probes'[0] 'team.up': 'params' must be a list, not an object");
  CHECK(error_of(R"({"protocol": 1, "faults": {"name": "team.up"}})") ==
        "describe: 'faults' must be a list, not an object");
  CHECK(error_of(R"({"protocol": 1, "faults": [7]})") ==
        "describe 'faults'[0]: expected a type object, got 7");
}

TEST_CASE("a protocol that is not a number, or not 1, is refused") {
  CHECK(error_of(R"({"protocol": "1"})") == "describe: 'protocol' must be an integer, not \"1\"");
  CHECK(error_of(R"({"protocol": 2})") == "speaks protocol 2; this faultline speaks 1");
  CHECK(error_of("[1, 2]") == "'describe' did not print a JSON object");
  CHECK(error_of("\xff\xfe not json") == "'describe' did not print a JSON object");
}

TEST_CASE("a param declared twice in one type is refused") {
  CHECK(error_of(with_param(R"({"name": "path"}, {"name": "path"})")) ==
        "describe 'faults'[0] 'team.flag': param 'path' is described twice");
}

TEST_CASE("a well-formed description normalizes defaults as a plan would write them") {
  auto parsed = parse_plugin_description(
      with_param(R"({"name": "timeout", "kind": "duration", "default": "2s"}, )"
                 R"({"name": "sig", "kind": "signal", "default": "TERM"})"));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->faults.size() == 1);
  const Schema& schema = parsed->faults[0].schema;
  CHECK(schema.find("timeout")->default_value == 2000);
  CHECK(schema.find("sig")->default_value == 15);
}
