#pragma once
// Helpers for the plan-loading unit tests (load_plan, fault_schedule, substitutions,
// node_reader, param_checks, target_reader, diagnostic): load a plan text as
// "plan.yaml" with the built-in types, and render what the loader said about it.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <string>

#include "runner/core/secrets.h"
#include "runner/runner.h"
#include "tests/support/test_support.h"

namespace faultline::testing {

// Raw string literals start with a newline after R"( for readability; the plan does not.
inline std::string yaml(const char* text) {
  std::string out = text;
  if (!out.empty() && out[0] == '\n') out.erase(0, 1);
  return out;
}

inline PlanLoad load(const std::string& text, const std::map<std::string, std::string>& vars = {},
                     LoadMode mode = LoadMode::to_run) {
  return load_plan_text("plan.yaml", text, builtin_registry(), vars, mode);
}

// Every diagnostic of `result`, rendered against `text`.
inline std::string rendered(const PlanLoad& result, const std::string& text) {
  std::string out;
  for (const auto& diagnostic : result.diagnostics) out += render_diagnostic(diagnostic, text);
  return out;
}

// The plan, which must load without a single diagnostic.
inline Plan loaded(const std::string& text, const std::map<std::string, std::string>& vars = {}) {
  PlanLoad result = load(text, vars);
  std::string errors;
  for (const auto& diagnostic : result.diagnostics) errors += render_diagnostic(diagnostic, text);
  INFO(errors);
  REQUIRE(result.plan.has_value());
  REQUIRE(result.diagnostics.empty());
  return std::move(*result.plan);
}

// Every diagnostic of a plan that must not load, rendered.
inline std::string rendered(const std::string& text,
                            const std::map<std::string, std::string>& vars = {}) {
  PlanLoad result = load(text, vars);
  CHECK_FALSE(result.plan.has_value());
  return rendered(result, text);
}

// Secrets are process-wide: whatever a test registers is gone when it ends.
struct SecretsReset {
  ~SecretsReset() { forget_secrets_for_testing(); }
};

// An environment variable set for the test's lifetime.
struct EnvVar {
  std::string name;
  EnvVar(std::string name_, const std::string& value) : name(std::move(name_)) {
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~EnvVar() { ::unsetenv(name.c_str()); }
};

inline const std::string kMinimalPlan = yaml(R"(
version: 1
name: minimal
steady_state:
  probes:
    - http: {url: "http://127.0.0.1:8080/"}
faults:
  - name: slow
    type: exec
    at: 1s
    params: {inject: [sleep, "1"]}
)");

}  // namespace faultline::testing
