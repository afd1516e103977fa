// Rendering a diagnostic: PATH:LINE:COL, the source line and a caret.
#include <catch2/catch.hpp>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("the caret lines up under multi-byte characters, and columns count bytes") {
  std::string text = yaml(R"(
version: 1
name: unicode
description: "Ünïcödé"
steady_state: {"é": 1, probes: [{tcp: {port: 80}}]}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:4:16: error: unknown key 'é' in steady_state\n"
        "steady_state: {\"é\": 1, probes: [{tcp: {port: 80}}]}\n"
        "               ^\n");
  std::string after = yaml(R"(
version: 1
name: unicode
steady_state: {"é": 1, intervl: 1s, probes: [{tcp: {port: 80}}]}
)");
  std::string out = rendered(after);
  CHECK(
      out.find(
          "plan.yaml:3:25: error: unknown key 'intervl' in steady_state, did you mean 'interval'?\n"
          "steady_state: {\"é\": 1, intervl: 1s, probes: [{tcp: {port: 80}}]}\n"
          "                       ^\n") != std::string::npos);
}

TEST_CASE("a very long message keeps both of its ends") {
  std::string text = "version: 1\nname: " + std::string(5000, 'x') + "!\n";
  PlanLoad result = load(text);
  REQUIRE_FALSE(result.diagnostics.empty());
  const Diagnostic& name = result.diagnostics.back();
  CHECK(name.where.line == 2);
  std::string out = render_diagnostic(name, text);
  CHECK(out.size() < 400);
  CHECK(out.rfind("plan.yaml:2:7: error: plan name 'xxx", 0) == 0);
  CHECK(out.find("[...]") != std::string::npos);
  CHECK(out.find("!' must be letters, digits, '.', '_' or '-' (up to 128)\n") != std::string::npos);
}

TEST_CASE("a note renders as a note, with or without a line") {
  std::string text = "version: 1\nvars:\n  TOKEN: {secret: true}\n";
  CHECK(
      render_diagnostic({{"plan.yaml", 3, 3}, "var 'TOKEN' has no value", Severity::note}, text) ==
      "plan.yaml:3:3: note: var 'TOKEN' has no value\n"
      "  TOKEN: {secret: true}\n"
      "  ^\n");
  CHECK(render_diagnostic({{"plan.yaml", 0, 0}, "and 3 more notes, not shown", Severity::note},
                          text) == "plan.yaml: note: and 3 more notes, not shown\n");
  CHECK(render_diagnostic({{"plan.yaml", 1, 1}, "an error"}, text) ==
        "plan.yaml:1:1: error: an error\nversion: 1\n^\n");
}
