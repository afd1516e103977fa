#pragma once
// The probe types built into faultline, one folder per family: http/, tcp/, exec/.
#include "runner/core/registry.h"

namespace faultline {

Status register_builtin_probes(Registry& registry);

// A probe's detail for the timeline: one line, redacted, at most 120 bytes.
std::string probe_detail(const std::string& text);

}  // namespace faultline
