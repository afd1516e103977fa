#pragma once
// A plan's `services:`, the system under test that faultline runs itself: each a
// command (argv list or shell line), cwd, env, an optional readiness probe with its
// timeout, a restart policy and delay, and how it is stopped (signal, timeout).
#include <yaml-cpp/yaml.h>

#include <vector>

#include "runner/core/registry.h"
#include "runner/plan/node_reader.h"
#include "runner/plan/plan.h"

namespace faultline {

// The services in the order written; every problem is reported through `reader`. A
// service whose name is not an identifier is left out; one with other problems is still
// returned, so that a fault's `target: {service: NAME}` is not also reported.
std::vector<ServiceSpec> read_services(NodeReader& reader, const Registry& registry,
                                       const YAML::Node& node);

}  // namespace faultline
