#pragma once
// A fault's `target:`, the processes it acts on: exactly one of `service:` (a plan
// service), `pidfile:` or `process:` (a process name); with `process:`, `all: true`
// accepts several matches and then needs `max: N`; `user:` allows processes of that
// user (others than the runner's are refused without it).
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "runner/plan/node_reader.h"
#include "runner/plan/plan.h"

namespace faultline {

// `label` names the fault ("fault 'crash'"); `services` are the plan's, for `service:`.
// Every problem is reported through `reader`, and then the result is nullopt.
std::optional<ProcessSelector> read_target(NodeReader& reader, const YAML::Node& node,
                                           const std::string& label,
                                           const std::vector<ServiceSpec>& services);

}  // namespace faultline
