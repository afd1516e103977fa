#pragma once
// Fault and probe params checked against their type's Schema (runner/core/params.h) at
// load time, so that a plan never fails on a param when its fault fires: unknown names
// (with a suggestion), each value's kind, required params; defaults filled in. Then the
// type's own configure() checks what a schema cannot, and its error points at its param.
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "runner/core/json.h"
#include "runner/core/params.h"
#include "runner/core/result.h"
#include "runner/plan/node_reader.h"

namespace faultline {

struct CheckedParams {
  Json values;                              // normalized, in the schema's order, defaults in
  std::map<std::string, YAML::Node> nodes;  // each given param's value node
  // LoadMode::to_check only: the params that needed a missing value. Those whose kind
  // has a check (a duration, a number, a signal, ...) are already `noted` as not checked
  // and hold their default, if any; text holds the reference as written.
  std::map<std::string, MissingValue> missing;
  std::set<std::string> noted;
};

// The params mapping `node` (absent or null: none given) of the fault or probe at
// `owner`, checked against `schema`; `what` names it in messages ("fault 'crash'").
// nullopt when any error was reported.
std::optional<CheckedParams> read_params(NodeReader& reader, const YAML::Node& node,
                                         const YAML::Node& owner, const Schema& schema,
                                         const std::string& what);

// Reports the error of the type's configure() at the param it names (else at
// `fallback`), and returns true. An error that may come from a missing value (at a param
// that needed one, or at none while some param did) is instead a note that the check
// was skipped, and the return is false: the plan is still valid for checking.
bool report_configure_error(NodeReader& reader, const CheckedParams& params, const Error& error,
                            const YAML::Node& fallback, const std::string& what);

}  // namespace faultline
