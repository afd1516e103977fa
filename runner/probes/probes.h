#pragma once
// The probe types built into faultline: http (libcurl), tcp, exec.
#include "runner/core/registry.h"

namespace faultline {

Status register_builtin_probes(Registry& registry);

}  // namespace faultline
