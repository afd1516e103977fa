#pragma once
// Checks on the raw bytes of a plan before the YAML parser sees them, so that hostile
// input (binary data, invalid UTF-8, tab indentation, huge files) gets a precise
// message instead of a confusing parser error.
#include <string>
#include <vector>

#include "runner/plan/diagnostic.h"

namespace faultline {

// yaml-cpp scans a few MiB a second on a busy machine, and a plan must be refused in
// well under one. The largest real plans (thousands of faults) are a few hundred KiB.
constexpr size_t kMaxPlanBytes = 1024 * 1024;
// Blank lines cost yaml-cpp far more than their bytes suggest.
constexpr int kMaxPlanLines = 100'000;

// Returns the problems found; parsing goes ahead only when there are none.
std::vector<Diagnostic> check_plan_source(const std::string& path, const std::string& text);

// Length of the UTF-8 sequence at `i`, or 0 when it is invalid (overlong forms,
// surrogates and code points past U+10FFFF included). Rendering uses it too: a source
// line is echoed only when it is valid text.
size_t utf8_sequence_length(const std::string& text, size_t i);

}  // namespace faultline
