#pragma once
// Reads a plan's sections (vars, objectives, services, steady_state, faults, recovery)
// into a Plan: keys checked, values typed, fault and probe params checked by their
// type's schema and configured, fault offsets resolved and put in firing order.
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "runner/core/registry.h"
#include "runner/plan/diagnostic.h"
#include "runner/plan/load_mode.h"
#include "runner/plan/plan.h"

namespace faultline {

// The plan's top-level keys, as the loader accepts them.
const std::vector<std::string>& plan_top_keys();

// `root` is the plan's top-level mapping; `vars` come from --var NAME=VALUE; `mode`
// says what a missing value is (load_mode.h). Every problem is appended to `diagnostics`
// (in reading order, not sorted); the Plan is valid only when no error was.
Plan read_plan(const std::string& path, const YAML::Node& root, const Registry& registry,
               const std::map<std::string, std::string>& vars, LoadMode mode,
               std::vector<Diagnostic>& diagnostics);

}  // namespace faultline
