#pragma once
// The plan's `continuity:` section: which business service the drill exercises, its
// impact level, the systems in scope, the emergency plan (runbook) and its version, who
// takes part in which role, and the recovery tier the service claims.
#include "runner/plan/node_reader.h"
#include "runner/plan/plan.h"

namespace faultline {

Continuity read_continuity(NodeReader& reader, const YAML::Node& node);

}  // namespace faultline
