#include "runner/plan/fault_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "runner/core/suggest.h"
#include "runner/plan/fault_schedule.h"
#include "runner/plan/param_checks.h"
#include "runner/plan/target_reader.h"

namespace faultline {
namespace {

class FaultReader {
 public:
  FaultReader(NodeReader& reader, const Registry& registry,
              const std::vector<ServiceSpec>& services, const std::vector<ProxySpec>& proxies)
      : reader_(reader), registry_(registry), services_(services), proxies_(proxies) {}

  std::vector<FaultSpec> read(const YAML::Node& node) {
    auto list = reader_.items(node, "faults");
    if (node.IsSequence() && list.empty())
      reader_.error(node, "faults is empty; a drill injects at least one fault");
    for (const auto& item : list) read_fault(item);
    // `after: other + 1s` into absolute offsets, and the faults into firing order.
    for (const auto& problem : schedule_faults(faults_, left_out_))
      reader_.error(after_nodes_[problem.fault], problem.message);
    return std::move(faults_);
  }

 private:
  void read_fault(const YAML::Node& item) {
    FaultSpec fault;
    fault.where = reader_.where(item);
    std::map<std::string, Field> fields;
    for (Field& field : reader_.fields(
             item, {"name", "type", "at", "after", "duration", "target", "params"}, "fault")) {
      fields[field.key] = field;
    }
    if (!item.IsMap()) return;
    size_t errors_before = reader_.error_count();
    if (fields.count("name"))
      fault.name = reader_.identifier(fields["name"].value, "fault name").value_or("");
    else
      reader_.error(item, "fault is missing required key 'name'");
    std::string label = "fault '" + fault.name + "'";
    if (!fault.name.empty() && (fault_names_.count(fault.name) || left_out_.count(fault.name))) {
      reader_.error(fields["name"].value, "duplicate fault name '" + fault.name + "'");
    }
    if (!fields.count("type")) {
      reader_.error(item, label + " is missing required key 'type' (" +
                              fmt::format("{}", fmt::join(registry_.fault_type_names(), ", ")) +
                              ")");
    } else if (auto type_name = reader_.checkable_text(fields["type"].value, label + " type")) {
      fault.type = *type_name;
      fault.fault_type = registry_.fault_type(*type_name);
      if (!fault.fault_type)
        reader_.error(fields["type"].value,
                      "unknown fault type '" + *type_name + "'" +
                          did_you_mean(*type_name, registry_.fault_type_names()));
    }
    if (fields.count("at") == fields.count("after")) {
      reader_.error(
          item,
          label + " needs exactly one of 'at' (e.g. at: 2s) or 'after' (e.g. after: other + 1s)");
    } else if (fields.count("at")) {
      fault.at = reader_.duration(fields["at"].value, label + " at").value_or(Millis(0));
    } else {
      read_after(fields["after"].value, fault, label);
    }
    if (fields.count("duration"))
      fault.duration = reader_.positive_duration(fields["duration"].value, label + " duration");
    if (fields.count("target"))
      fault.target = read_target(reader_, fields["target"].value, label, services_);
    if (fault.fault_type) configure_fault(fault, fields, item, label);
    if (reader_.error_count() == errors_before) {
      fault_names_.insert(fault.name);
      faults_.push_back(std::move(fault));
    } else if (!fault.name.empty()) {
      left_out_.insert(fault.name);  // a known name, so that 'after' does not also complain
    }
  }

  void configure_fault(FaultSpec& fault, std::map<std::string, Field>& fields,
                       const YAML::Node& item, const std::string& label) {
    YAML::Node params_node = fields.count("params") ? fields["params"].value : YAML::Node();
    auto params = read_params(reader_, params_node, item, fault.fault_type->schema(), label);
    if (!params) return;
    auto configured = fault.fault_type->configure(Params(params->values));
    if (!configured.ok()) {
      // Unchecked for a missing value (LoadMode::to_check), the spec keeps no Fault.
      if (!report_configure_error(reader_, *params, configured.error(), item, label))
        fault.params = params->values;
      return;
    }
    if (std::string proxy = (*configured)->plan_proxy(); !proxy.empty()) {
      std::vector<std::string> declared;
      for (const auto& spec : proxies_) declared.push_back(spec.name);
      if (std::find(declared.begin(), declared.end(), proxy) == declared.end()) {
        Error unknown{
            ErrorCode::invalid,
            "unknown proxy '" + proxy + "'" +
                (declared.empty() ? "; declare it under proxies: (name: {listen, upstream})"
                                  : did_you_mean(proxy, declared)),
            "proxy"};
        (void)report_configure_error(reader_, *params, unknown, item, label);
        return;
      }
    }
    fault.params = params->values;
    fault.fault = std::move(*configured);
    if (fault.fault->acts_on_processes() && !fault.target && !fields.count("target")) {
      reader_.error(item,
                    label + " (" + fault.type +
                        ") needs a target: {service: NAME}, {pidfile: PATH} or {process: NAME}");
    }
    if (!fault.fault->acts_on_processes() && fields.count("target")) {
      reader_.error(fields["target"].key_node,
                    label + ": fault type " + fault.type + " takes no target");
    }
  }

  void read_after(const YAML::Node& node, FaultSpec& fault, const std::string& label) {
    auto text = reader_.checkable_text(node, label + " after");
    if (!text) return;
    auto clause = parse_after(*text);
    if (!clause.ok()) return reader_.error(node, label + " " + clause.error().message);
    fault.after = clause->fault;
    fault.at = clause->delay;
    // A duplicate name must not move the first one's errors.
    after_nodes_.emplace(fault.name, node);
  }

  NodeReader& reader_;
  const Registry& registry_;
  const std::vector<ServiceSpec>& services_;
  const std::vector<ProxySpec>& proxies_;
  std::vector<FaultSpec> faults_;
  std::set<std::string> fault_names_;
  // Faults left out for their own errors: an after: naming one is not reported again.
  std::set<std::string> left_out_;
  std::map<std::string, YAML::Node> after_nodes_;
};

}  // namespace

std::vector<FaultSpec> read_faults(NodeReader& reader, const Registry& registry,
                                   const YAML::Node& node, const std::vector<ServiceSpec>& services,
                                   const std::vector<ProxySpec>& proxies) {
  return FaultReader(reader, registry, services, proxies).read(node);
}

}  // namespace faultline
