#pragma once
// One probe, `TYPE: {params}`, as steady_state probes and a service's ready: write it:
// the type looked up in the Registry (with a suggestion), its params checked against the
// type's schema, then configured by the type.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "runner/core/registry.h"
#include "runner/plan/node_reader.h"
#include "runner/plan/plan.h"

namespace faultline {

// `key_node` is the type key (where the spec is said to be), `params_node` its value;
// `what` names the probe in messages ("probe 'health'"). nullopt when an error was
// reported. The spec's name is left to the caller. Checked without a value the type
// needs (LoadMode::to_check), the spec has no Probe: it is for checking, not running.
std::optional<ProbeSpec> read_probe(NodeReader& reader, const Registry& registry,
                                    const YAML::Node& key_node, const std::string& type_name,
                                    const YAML::Node& params_node, const std::string& what);

}  // namespace faultline
