#pragma once
// A plan's `faults:`: each fault's name, type, when it fires (`at:`, or `after:` another
// fault plus a delay), how long it lasts, its target, and its params checked against its
// type's schema and configured by the type.
#include <yaml-cpp/yaml.h>

#include <vector>

#include "runner/core/registry.h"
#include "runner/plan/node_reader.h"
#include "runner/plan/plan.h"

namespace faultline {

// The faults without errors, in firing order with absolute offsets (fault_schedule.h);
// every problem is reported through `reader`. `services` are the plan's, for targets.
std::vector<FaultSpec> read_faults(NodeReader& reader, const Registry& registry,
                                   const YAML::Node& node,
                                   const std::vector<ServiceSpec>& services,
                                   const std::vector<ProxySpec>& proxies = {});

}  // namespace faultline
