#pragma once
// The probe types built into faultline, one folder per family: http/, tcp/, exec/.
#include <optional>

#include "runner/core/pattern.h"
#include "runner/core/registry.h"

namespace faultline {

Status register_builtin_probes(Registry& registry);

// A probe's detail for the timeline: one line, redacted, at most 120 bytes.
std::string probe_detail(const std::string& text);

// The compiled regex param `name`, nullopt when the plan leaves it out; an error for the
// plan loader (naming the param) when it does not compile.
Result<std::optional<Pattern>> optional_pattern(const Params& params, const std::string& name);

}  // namespace faultline
