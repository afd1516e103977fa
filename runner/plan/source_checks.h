#pragma once
// Checks on the raw bytes of a plan before the YAML parser sees them, so that hostile
// input (binary data, invalid UTF-8, tab indentation, huge files) gets a precise
// message instead of a confusing parser error.
#include <string>
#include <vector>

#include "runner/plan/load_plan.h"

namespace faultline {

// yaml-cpp scans a few MiB a second on a busy machine, and a plan must be refused in
// well under one. The largest real plans (thousands of faults) are a few hundred KiB.
constexpr size_t kMaxPlanBytes = 1024 * 1024;
// Blank lines cost yaml-cpp far more than their bytes suggest.
constexpr int kMaxPlanLines = 100'000;

// Returns the problems found; parsing goes ahead only when there are none.
std::vector<Diagnostic> check_plan_source(const std::string& path, const std::string& text);

}  // namespace faultline
