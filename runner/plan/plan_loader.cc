#include "runner/plan/plan_loader.h"

#include <functional>
#include <set>

#include "runner/core/signals.h"
#include "runner/core/suggest.h"
#include "runner/plan/fault_schedule.h"
#include "runner/plan/node_reader.h"
#include "runner/plan/param_checks.h"
#include "runner/plan/substitutions.h"
#include "runner/plan/target_reader.h"

namespace faultline {
namespace {

const std::vector<std::string> kTopKeys = {"version",      "name",   "description", "owner",
                                           "runbook",      "vars",   "objectives",  "services",
                                           "steady_state", "faults", "recovery"};

class PlanLoader {
 public:
  PlanLoader(const std::string& path, const Registry& registry,
             const std::map<std::string, std::string>& vars, LoadMode mode,
             std::vector<Diagnostic>& diagnostics)
      : registry_(registry),
        cli_vars_(vars),
        mode_(mode),
        reader_(path, substitutions_, mode, diagnostics) {
    plan_.path = path;
  }

  Plan load(const YAML::Node& root) {
    std::map<std::string, Field> top;
    for (Field& field : reader_.fields(root, kTopKeys, "the plan")) top[field.key] = field;
    read_vars(top.count("vars") ? &top["vars"].value : nullptr);
    require(top, "version", root, [&](const YAML::Node& node) {
      auto version = reader_.integer(node, "version", 0, 1000);
      if (version && *version != 1)
        reader_.error(node, "unsupported plan version " + std::to_string(*version) +
                                "; this faultline reads version 1");
    });
    require(top, "name", root, [&](const YAML::Node& node) {
      if (auto name = reader_.identifier(node, "plan name")) plan_.name = *name;
    });
    optional(top, "description", [&](const YAML::Node& node) {
      plan_.description = reader_.text(node, "description").value_or("");
    });
    optional(top, "owner", [&](const YAML::Node& node) {
      plan_.owner = reader_.text(node, "owner").value_or("");
    });
    optional(top, "runbook", [&](const YAML::Node& node) {
      plan_.runbook = reader_.text(node, "runbook").value_or("");
    });
    optional(top, "objectives", [&](const YAML::Node& node) { read_objectives(node); });
    optional(top, "services", [&](const YAML::Node& node) { read_services(node); });
    require(top, "steady_state", root, [&](const YAML::Node& node) { read_steady_state(node); });
    require(top, "faults", root, [&](const YAML::Node& node) { read_faults(node); });
    optional(top, "recovery", [&](const YAML::Node& node) {
      for (const Field& field : reader_.fields(node, {"timeout", "observe"}, "recovery")) {
        if (field.key == "observe") {
          plan_.recovery_observe =
              reader_.duration(field.value, "recovery observe").value_or(Millis(0));
        } else if (auto timeout = positive_duration(field.value, "recovery timeout")) {
          plan_.recovery_timeout = *timeout;
        }
      }
    });
    schedule();
    return std::move(plan_);
  }

 private:
  using Reader = std::function<void(const YAML::Node&)>;

  void require(std::map<std::string, Field>& top, const std::string& key, const YAML::Node& root,
               const Reader& read) {
    if (top.count(key)) return read(top[key].value);
    reader_.error(root, "the plan is missing required key '" + key + "'");
  }
  void optional(std::map<std::string, Field>& top, const std::string& key, const Reader& read) {
    if (top.count(key)) read(top[key].value);
  }

  std::optional<Millis> positive_duration(const YAML::Node& node, const std::string& what) {
    auto value = reader_.duration(node, what);
    if (value && value->count() <= 0) {
      reader_.error(node, what + " must be longer than 0s");
      return std::nullopt;
    }
    return value;
  }

  void read_vars(const YAML::Node* node) {
    std::map<std::string, YAML::Node> declared;
    if (node != nullptr) {
      for (const Field& field : reader_.entries(*node, "vars")) {
        declared[field.key] = field.key_node;
        std::string value;
        bool secret = false, has_value = false;
        if (field.value.IsMap()) {
          for (const Field& option : reader_.fields(
                   field.value, {"default", "secret", "description"}, "var '" + field.key + "'")) {
            if (option.key == "default")
              has_value = true, value = option.value.IsScalar() ? option.value.Scalar() : "";
            if (option.key == "secret")
              secret = reader_.boolean(option.value, "secret").value_or(false);
          }
        } else if (field.value.IsScalar()) {
          has_value = true, value = field.value.Scalar();
        } else {
          reader_.error(field.value, "var '" + field.key +
                                         "' must be a value or {default, secret, description}");
        }
        auto given = cli_vars_.find(field.key);
        if (given != cli_vars_.end()) has_value = true, value = given->second;
        if (has_value) {
          substitutions_.define(field.key, value, secret);
        } else {
          substitutions_.declare_without_value(field.key);
          if (mode_ == LoadMode::to_check) {
            reader_.note(field.key_node, "var '" + field.key +
                                             "' has no value; checked without it (pass --var " +
                                             field.key + "=... to check it too)");
          } else {
            reader_.error(field.key_node, "var '" + field.key + "' has no default; pass --var " +
                                              field.key + "=VALUE");
          }
        }
      }
    }
    std::vector<std::string> names;
    for (const auto& [name, key] : declared) names.push_back(name);
    for (const auto& [name, value] : cli_vars_) {
      if (!declared.count(name)) {
        // Not tied to a line: the mistake is on the command line.
        reader_.error(YAML::Node(),
                      "--var " + name + " is not declared under vars:" + did_you_mean(name, names));
      }
    }
  }

  void read_objectives(const YAML::Node& node) {
    for (const Field& field : reader_.fields(node, {"rto", "availability", "rpo"}, "objectives")) {
      if (field.key == "rto") {
        if (auto rto = reader_.duration(field.value, "rto"))
          plan_.objectives.push_back({"rto", static_cast<double>(rto->count())});
      } else if (field.key == "availability") {
        if (auto percent = reader_.percent(field.value, "availability"))
          plan_.objectives.push_back({"availability", *percent});
      } else {
        reader_.error(field.key_node,
                      "rpo needs a write-ledger workload, which this faultline does not have yet; "
                      "remove it or measure rto/availability");
      }
    }
  }

  std::optional<ProbeSpec> probe_from(const YAML::Node& key_node, const std::string& type_name,
                                      const YAML::Node& params_node, const std::string& what) {
    const ProbeType* type = registry_.probe_type(type_name);
    if (type == nullptr) {
      reader_.error(key_node, "unknown probe type '" + type_name + "' in " + what +
                                  did_you_mean(type_name, registry_.probe_type_names()));
      return std::nullopt;
    }
    auto params = read_params(reader_, params_node, key_node, type->schema(), what);
    if (!params) return std::nullopt;
    ProbeSpec spec;
    auto probe = type->configure(Params(params->values));
    if (probe.ok()) {
      spec.probe = std::move(*probe);
    } else if (report_configure_error(reader_, *params, probe.error(), params_node, what)) {
      return std::nullopt;
    }  // else unchecked for a missing value: the spec has no probe (LoadMode::to_check)
    spec.type = type_name;
    spec.params = params->values;
    spec.probe_type = type;
    spec.where = reader_.where(key_node);
    return spec;
  }

  void read_steady_state(const YAML::Node& node) {
    auto& steady = plan_.steady_state;
    bool has_probes = false;
    for (const Field& field : reader_.fields(
             node, {"interval", "recovered_after", "baseline_rounds", "max_in_flight", "probes"},
             "steady_state")) {
      if (field.key == "interval") {
        if (auto interval = positive_duration(field.value, "interval")) steady.interval = *interval;
      } else if (field.key == "recovered_after") {
        steady.recovered_after =
            static_cast<int>(reader_.integer(field.value, "recovered_after", 1, 10000).value_or(3));
      } else if (field.key == "max_in_flight") {
        steady.max_in_flight =
            static_cast<int>(reader_.integer(field.value, "max_in_flight", 1, 64).value_or(0));
      } else if (field.key == "baseline_rounds") {
        steady.baseline_rounds =
            static_cast<int>(reader_.integer(field.value, "baseline_rounds", 1, 10000).value_or(3));
      } else {
        has_probes = true;
        read_probes(field.value);
      }
    }
    if (!has_probes && node.IsMap())
      reader_.error(node, "steady_state needs at least one probe under 'probes'");
  }

  void read_probes(const YAML::Node& node) {
    std::set<std::string> names;
    auto list = reader_.items(node, "probes");
    if (node.IsSequence() && list.empty())
      reader_.error(node, "steady_state needs at least one probe");
    for (const auto& item : list) {
      std::vector<std::string> allowed = {"name"};
      for (const auto& type : registry_.probe_type_names()) allowed.push_back(type);
      std::optional<std::string> name;
      std::vector<Field> types;
      size_t errors_before = diagnostic_count();
      for (const Field& field : reader_.fields(item, allowed, "probe")) {
        if (field.key == "name")
          name = reader_.identifier(field.value, "probe name");
        else
          types.push_back(field);
      }
      // An unknown key was most likely the misspelt type; it has its own error.
      if (!item.IsMap() || diagnostic_count() != errors_before) continue;
      if (types.size() != 1) {
        reader_.error(item, "a probe needs exactly one type key (" +
                                join(registry_.probe_type_names()) + ")");
        continue;
      }
      std::string label = "probe '" + name.value_or(types[0].key) + "'";
      auto spec = probe_from(types[0].key_node, types[0].key, types[0].value, label);
      if (!spec) continue;
      spec->name = name.value_or(types[0].key);
      if (!names.insert(spec->name).second) {
        reader_.error(item, "duplicate probe name '" + spec->name + "'");
        continue;
      }
      plan_.steady_state.probes.push_back(std::move(*spec));
    }
  }

  void read_services(const YAML::Node& node) {
    for (const Field& entry : reader_.entries(node, "services")) {
      ServiceSpec service;
      service.name = entry.key;
      std::string label = "service '" + entry.key + "'";
      if (!reader_.identifier(entry.key_node, "service name")) continue;
      bool has_command = false;
      for (const Field& field : reader_.fields(
               entry.value,
               {"command", "cwd", "env", "ready", "restart", "stop_signal", "stop_timeout"},
               label)) {
        if (field.key == "command") {
          has_command = true;
          if (auto argv = reader_.command(field.value, label + " command"))
            service.command.argv = *argv;
        } else if (field.key == "cwd") {
          service.command.cwd = reader_.text(field.value, label + " cwd").value_or("");
        } else if (field.key == "env") {
          for (const Field& var : reader_.entries(field.value, label + " env")) {
            if (auto value = reader_.text(var.value, label + " env " + var.key))
              service.command.env[var.key] = *value;
          }
        } else if (field.key == "ready") {
          read_ready(field.value, service, label);
        } else if (field.key == "restart") {
          read_restart(field.value, service, label);
        } else if (field.key == "stop_signal") {
          auto text = reader_.checkable_text(field.value, label + " stop_signal");
          auto signal = text ? parse_signal(*text) : Result<int>(Error{""});
          if (signal.ok())
            service.stop_signal = *signal;
          else if (text)
            reader_.error(field.value, label + " stop_signal: " + signal.error().message);
        } else if (field.key == "stop_timeout") {
          if (auto timeout = positive_duration(field.value, label + " stop_timeout"))
            service.stop_timeout = *timeout;
        }
      }
      if (entry.value.IsMap() && !has_command)
        reader_.error(entry.key_node, label + " needs a 'command'");
      plan_.services.push_back(std::move(service));
    }
  }

  void read_ready(const YAML::Node& node, ServiceSpec& service, const std::string& label) {
    std::vector<std::string> allowed = {"timeout"};
    for (const auto& type : registry_.probe_type_names()) allowed.push_back(type);
    std::vector<Field> types;
    for (const Field& field : reader_.fields(node, allowed, label + " ready")) {
      if (field.key == "timeout") {
        if (auto timeout = positive_duration(field.value, label + " ready timeout"))
          service.ready_timeout = *timeout;
      } else {
        types.push_back(field);
      }
    }
    if (!node.IsMap()) return;
    if (types.size() != 1) {
      reader_.error(node, label + " ready needs exactly one probe type key (" +
                              join(registry_.probe_type_names()) + ")");
      return;
    }
    service.ready =
        probe_from(types[0].key_node, types[0].key, types[0].value, label + " ready probe");
    if (service.ready) service.ready->name = service.name + ".ready";
  }

  void read_restart(const YAML::Node& node, ServiceSpec& service, const std::string& label) {
    for (const Field& field : reader_.fields(node, {"policy", "delay"}, label + " restart")) {
      if (field.key == "delay") {
        service.restart_delay =
            reader_.duration(field.value, label + " restart delay").value_or(Millis(0));
        continue;
      }
      auto policy = reader_.checkable_text(field.value, label + " restart policy");
      if (!policy) continue;
      if (*policy == "always")
        service.restart = RestartPolicy::always;
      else if (*policy == "on-failure")
        service.restart = RestartPolicy::on_failure;
      else if (*policy == "never")
        service.restart = RestartPolicy::never;
      else
        reader_.error(field.value,
                      label + " restart policy must be always, on-failure or never, not '" +
                          *policy + "'" + did_you_mean(*policy, {"always", "on-failure", "never"}));
    }
  }

  void read_faults(const YAML::Node& node) {
    auto list = reader_.items(node, "faults");
    if (node.IsSequence() && list.empty())
      reader_.error(node, "faults is empty; a drill injects at least one fault");
    for (const auto& item : list) read_fault(item);
  }

  void read_fault(const YAML::Node& item) {
    FaultSpec fault;
    fault.where = reader_.where(item);
    std::map<std::string, Field> fields;
    for (Field& field : reader_.fields(
             item, {"name", "type", "at", "after", "duration", "target", "params"}, "fault")) {
      fields[field.key] = field;
    }
    if (!item.IsMap()) return;
    size_t errors_before = diagnostic_count();
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
                              join(registry_.fault_type_names()) + ")");
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
      fault.duration = positive_duration(fields["duration"].value, label + " duration");
    if (fields.count("target"))
      fault.target = read_target(reader_, fields["target"].value, label, plan_.services);
    if (fault.fault_type) configure_fault(fault, fields, item, label);
    if (diagnostic_count() == errors_before) {
      fault_names_.insert(fault.name);
      plan_.faults.push_back(std::move(fault));
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
    after_nodes_.emplace(fault.name, node);  // a duplicate name must not move the first one's
  }

  // Turns `after: other + 1s` into absolute offsets and puts the faults in firing order.
  void schedule() {
    for (const auto& problem : schedule_faults(plan_.faults, left_out_))
      reader_.error(after_nodes_[problem.fault], problem.message);
  }

  size_t diagnostic_count() const { return reader_.error_count(); }

  static std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

  const Registry& registry_;
  const std::map<std::string, std::string>& cli_vars_;
  LoadMode mode_;
  Substitutions substitutions_;
  NodeReader reader_;
  Plan plan_;
  std::set<std::string> fault_names_;
  // Faults left out of the plan for their own errors.
  std::set<std::string> left_out_;
  std::map<std::string, YAML::Node> after_nodes_;
};

}  // namespace

Plan read_plan(const std::string& path, const YAML::Node& root, const Registry& registry,
               const std::map<std::string, std::string>& vars, LoadMode mode,
               std::vector<Diagnostic>& diagnostics) {
  return PlanLoader(path, registry, vars, mode, diagnostics).load(root);
}

}  // namespace faultline
