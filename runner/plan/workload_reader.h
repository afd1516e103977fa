#pragma once
// The plan's `workload:` section: a write ledger (one backend key, e.g. `postgres:`, with
// its params checked against the backend's schema), its rate and write timeout.
#include <yaml-cpp/yaml.h>

#include <optional>

#include "runner/plan/node_reader.h"
#include "runner/plan/plan.h"

namespace faultline {

std::optional<WorkloadSpec> read_workload(NodeReader& reader, const YAML::Node& node);

}  // namespace faultline
