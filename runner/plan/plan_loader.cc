#include "runner/plan/plan_loader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <set>

#include "runner/core/suggest.h"
#include "runner/plan/continuity_reader.h"
#include "runner/plan/fault_reader.h"
#include "runner/plan/node_reader.h"
#include "runner/plan/objective_kinds.h"
#include "runner/plan/probe_reader.h"
#include "runner/plan/proxy_reader.h"
#include "runner/plan/schedule_reader.h"
#include "runner/plan/service_reader.h"
#include "runner/plan/substitutions.h"
#include "runner/plan/workload_reader.h"

namespace faultline {
namespace {

const std::vector<std::string> kTopKeys = {"version",      "name",    "description", "owner",
                                           "runbook",      "vars",    "objectives",  "services",
                                           "steady_state", "faults",  "recovery",    "continuity",
                                           "proxies",      "plugins", "schedule",    "workload"};

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
    optional(top, "objectives",
             [&](const YAML::Node& node) { read_objectives(node, top.count("workload") > 0); });
    optional(top, "continuity",
             [&](const YAML::Node& node) { plan_.continuity = read_continuity(reader_, node); });
    optional(top, "schedule",
             [&](const YAML::Node& node) { plan_.schedule = read_schedule(reader_, node); });
    // Loaded before the plan (plan_plugins.h); here only their form is checked.
    optional(top, "plugins", [&](const YAML::Node& node) {
      for (const auto& item : reader_.items(node, "plugins")) reader_.text(item, "plugin path");
    });
    optional(top, "services", [&](const YAML::Node& node) {
      plan_.services = read_services(reader_, registry_, node);
    });
    optional(top, "proxies",
             [&](const YAML::Node& node) { plan_.proxies = read_proxies(reader_, node); });
    require(top, "steady_state", root, [&](const YAML::Node& node) { read_steady_state(node); });
    require(top, "faults", root, [&](const YAML::Node& node) {
      plan_.faults = read_faults(reader_, registry_, node, plan_.services, plan_.proxies);
    });
    optional(top, "workload",
             [&](const YAML::Node& node) { plan_.workload = read_workload(reader_, node); });
    optional(top, "recovery", [&](const YAML::Node& node) {
      for (const Field& field : reader_.fields(node, {"timeout", "observe"}, "recovery")) {
        if (field.key == "observe") {
          plan_.recovery_observe =
              reader_.duration(field.value, "recovery observe").value_or(Millis(0));
        } else if (auto timeout = reader_.positive_duration(field.value, "recovery timeout")) {
          plan_.recovery_timeout = *timeout;
        }
      }
    });
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

  void read_objectives(const YAML::Node& node, bool has_workload) {
    for (const Field& field : reader_.fields(node, objective_kind_names(), "objectives")) {
      const ObjectiveKind& kind = *find_objective_kind(field.key);
      if (kind.needs_workload && !has_workload) {
        reader_.error(field.key_node, std::string(kind.name) +
                                          " is measured from a write ledger: add a workload: "
                                          "section, or remove this objective");
        continue;
      }
      std::optional<double> target;
      if (kind.unit == ObjectiveUnit::ms) {
        if (auto duration = reader_.duration(field.value, kind.name))
          target = static_cast<double>(duration->count());
      } else if (auto percent = reader_.percent(field.value, kind.name)) {
        target = *percent;
      }
      if (target) plan_.objectives.push_back({kind.name, *target, kind.unit});
    }
  }

  void read_steady_state(const YAML::Node& node) {
    auto& steady = plan_.steady_state;
    bool has_probes = false;
    for (const Field& field : reader_.fields(
             node, {"interval", "recovered_after", "baseline_rounds", "max_in_flight", "probes"},
             "steady_state")) {
      if (field.key == "interval") {
        if (auto interval = reader_.positive_duration(field.value, "interval"))
          steady.interval = *interval;
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
      size_t errors_before = reader_.error_count();
      for (const Field& field : reader_.fields(item, allowed, "probe")) {
        if (field.key == "name")
          name = reader_.identifier(field.value, "probe name");
        else
          types.push_back(field);
      }
      // An unknown key was most likely the misspelt type; it has its own error.
      if (!item.IsMap() || reader_.error_count() != errors_before) continue;
      if (types.size() != 1) {
        reader_.error(item, "a probe needs exactly one type key (" +
                                fmt::format("{}", fmt::join(registry_.probe_type_names(), ", ")) +
                                ")");
        continue;
      }
      std::string label = "probe '" + name.value_or(types[0].key) + "'";
      auto spec =
          read_probe(reader_, registry_, types[0].key_node, types[0].key, types[0].value, label);
      if (!spec) continue;
      spec->name = name.value_or(types[0].key);
      if (!names.insert(spec->name).second) {
        reader_.error(item, "duplicate probe name '" + spec->name + "'");
        continue;
      }
      plan_.steady_state.probes.push_back(std::move(*spec));
    }
  }

  const Registry& registry_;
  const std::map<std::string, std::string>& cli_vars_;
  LoadMode mode_;
  Substitutions substitutions_;
  NodeReader reader_;
  Plan plan_;
};

}  // namespace

const std::vector<std::string>& plan_top_keys() { return kTopKeys; }

Plan read_plan(const std::string& path, const YAML::Node& root, const Registry& registry,
               const std::map<std::string, std::string>& vars, LoadMode mode,
               std::vector<Diagnostic>& diagnostics) {
  return PlanLoader(path, registry, vars, mode, diagnostics).load(root);
}

}  // namespace faultline
