#pragma once
// Fault and probe params checked against their type's Schema (runner/core/params.h) at
// load time, so that a plan never fails on a param when its fault fires: unknown names
// (with a suggestion), each value's kind, required params; defaults filled in.
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>

#include "runner/core/json.h"
#include "runner/core/params.h"
#include "runner/plan/node_reader.h"

namespace faultline {

// The params mapping `node` (absent or null: none given) of the fault or probe at
// `owner`, checked against `schema`; `what` names it in messages ("fault 'crash'").
// Returns the normalized values in the schema's order with defaults applied, or nullopt
// when anything was reported. `fields_out` maps each given param to its value node, so
// that the type's own configure() errors can point at the param they name.
std::optional<Json> read_params(NodeReader& reader, const YAML::Node& node, const YAML::Node& owner,
                                const Schema& schema, const std::string& what,
                                std::map<std::string, YAML::Node>* fields_out);

}  // namespace faultline
