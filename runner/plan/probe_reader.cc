#include "runner/plan/probe_reader.h"

#include "runner/core/suggest.h"
#include "runner/plan/param_checks.h"

namespace faultline {

std::optional<ProbeSpec> read_probe(NodeReader& reader, const Registry& registry,
                                    const YAML::Node& key_node, const std::string& type_name,
                                    const YAML::Node& params_node, const std::string& what) {
  const ProbeType* type = registry.probe_type(type_name);
  if (type == nullptr) {
    reader.error(key_node, "unknown probe type '" + type_name + "' in " + what +
                               did_you_mean(type_name, registry.probe_type_names()));
    return std::nullopt;
  }
  // `lua: "return ..."`: the value is the type's shorthand param; errors still point at it.
  // (A yaml-cpp Node is a handle: assigning to one that refers to params_node would
  // change params_node itself, hence a node of its own.)
  YAML::Node shorthand(YAML::NodeType::Map);
  bool short_form = params_node.IsScalar() && !type->shorthand_param().empty();
  if (short_form) shorthand[type->shorthand_param()] = params_node;
  const YAML::Node& given = short_form ? shorthand : params_node;
  auto params = read_params(reader, given, key_node, type->schema(), what);
  if (!params) return std::nullopt;
  ProbeSpec spec;
  auto probe = type->configure(Params(params->values));
  if (probe.ok()) {
    spec.probe = std::move(*probe);
  } else if (report_configure_error(reader, *params, probe.error(), params_node, what)) {
    return std::nullopt;
  }  // else unchecked for a missing value: the spec has no probe (LoadMode::to_check)
  spec.type = type_name;
  spec.params = params->values;
  spec.probe_type = type;
  spec.where = reader.where(key_node);
  return spec;
}

}  // namespace faultline
