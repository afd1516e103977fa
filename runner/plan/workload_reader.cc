#include "runner/plan/workload_reader.h"

#include "runner/plan/param_checks.h"
#include "runner/workload/ledger_store.h"

namespace faultline {

std::optional<WorkloadSpec> read_workload(NodeReader& reader, const YAML::Node& node) {
  std::vector<std::string> allowed{"rate", "write_timeout", "read_back_timeout"};
  for (const auto& name : ledger_type_names()) allowed.push_back(name);
  size_t errors = reader.error_count();
  WorkloadSpec spec;
  spec.where = reader.where(node);
  int backends = 0;
  for (const Field& field : reader.fields(node, allowed, "workload")) {
    if (field.key == "rate") {
      if (auto rate = reader.integer(field.value, "workload rate", 1, 100000))
        spec.rate = static_cast<int>(*rate);
    } else if (field.key == "write_timeout") {
      if (auto timeout = reader.positive_duration(field.value, "workload write_timeout"))
        spec.write_timeout = *timeout;
    } else if (field.key == "read_back_timeout") {
      if (auto timeout = reader.positive_duration(field.value, "workload read_back_timeout"))
        spec.read_back_timeout = *timeout;
    } else {
      if (++backends > 1) {
        reader.error(field.key_node,
                     "workload has one ledger; '" + spec.ledger + "' is already given");
        continue;
      }
      const LedgerType* type = find_ledger_type(field.key);
      std::string what = "workload " + field.key;
      auto params = read_params(reader, field.value, field.key_node, type->schema(), what);
      if (!params) continue;
      spec.ledger = field.key;
      spec.ledger_type = type;
      spec.params = params->values;
      if (Status checked = type->check(Params(params->values)); !checked) {
        report_configure_error(reader, *params, checked.error(), field.value, what);
      }
    }
  }
  if (backends == 0 && reader.error_count() == errors) {
    std::string names;
    for (const auto& name : ledger_type_names()) names += (names.empty() ? "" : ", ") + name;
    reader.error(node, "workload needs a ledger: one of " + names);
  }
  if (reader.error_count() != errors || spec.ledger_type == nullptr) return std::nullopt;
  return spec;
}

}  // namespace faultline
