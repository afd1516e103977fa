#pragma once
// The fault types built into faultline. They register through the same Registry
// interface a plugin uses; nothing else in this folder is public.
#include "runner/core/registry.h"

namespace faultline {

Status register_builtin_faults(Registry& registry);

}  // namespace faultline
