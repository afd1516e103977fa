#include "runner/plan/load_plan.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <functional>
#include <regex>
#include <sstream>

#include "runner/core/secrets.h"
#include "runner/core/sha256.h"
#include "runner/core/signals.h"
#include "runner/core/suggest.h"
#include "runner/os/files.h"
#include "runner/plan/node_reader.h"
#include "runner/plan/source_checks.h"

namespace faultline {
namespace {

const std::vector<std::string> kTopKeys = {"version",      "name",   "description", "owner",
                                           "runbook",      "vars",   "objectives",  "services",
                                           "steady_state", "faults", "recovery"};

class PlanLoader {
 public:
  PlanLoader(const std::string& path, const Registry& registry,
             const std::map<std::string, std::string>& vars, std::vector<Diagnostic>& diagnostics)
      : registry_(registry),
        cli_vars_(vars),
        diagnostics_(diagnostics),
        reader_(path, substitutions_, diagnostics) {
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
    resolve_fault_offsets();
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
          reader_.error(field.key_node, "var '" + field.key + "' has no default; pass --var " +
                                            field.key + "=VALUE");
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
    std::map<std::string, YAML::Node> fields;
    auto params = reader_.params(params_node, key_node, type->schema(), what, &fields);
    if (!params) return std::nullopt;
    auto probe = type->configure(Params(*params));
    if (!probe.ok()) {
      const YAML::Node& at =
          fields.count(probe.error().field) ? fields[probe.error().field] : params_node;
      reader_.error(at, what + ": " + probe.error().message);
      return std::nullopt;
    }
    ProbeSpec spec;
    spec.type = type_name;
    spec.params = *params;
    spec.probe = std::move(*probe);
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
          auto text = reader_.text(field.value, label + " stop_signal");
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
      auto policy = reader_.text(field.value, label + " restart policy");
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
    if (!fault.name.empty() && fault_index_.count(fault.name)) {
      reader_.error(fields["name"].value, "duplicate fault name '" + fault.name + "'");
    }
    if (!fields.count("type")) {
      reader_.error(item, label + " is missing required key 'type' (" +
                              join(registry_.fault_type_names()) + ")");
    } else if (auto type_name = reader_.text(fields["type"].value, label + " type")) {
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
    if (fields.count("target")) fault.target = read_target(fields["target"].value, label);
    if (fault.fault_type) configure_fault(fault, fields, item, label);
    if (diagnostic_count() == errors_before) {
      fault_index_[fault.name] = plan_.faults.size();
      plan_.faults.push_back(std::move(fault));
    } else if (!fault.name.empty()) {
      fault_index_.emplace(fault.name, SIZE_MAX);  // known name, so 'after' does not also complain
    }
  }

  void configure_fault(FaultSpec& fault, std::map<std::string, Field>& fields,
                       const YAML::Node& item, const std::string& label) {
    std::map<std::string, YAML::Node> param_nodes;
    YAML::Node params_node = fields.count("params") ? fields["params"].value : YAML::Node();
    auto params =
        reader_.params(params_node, item, fault.fault_type->schema(), label, &param_nodes);
    if (!params) return;
    auto configured = fault.fault_type->configure(Params(*params));
    if (!configured.ok()) {
      const auto& field = configured.error().field;
      reader_.error(param_nodes.count(field) ? param_nodes[field] : item,
                    label + ": " + configured.error().message);
      return;
    }
    fault.params = *params;
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

  std::optional<ProcessSelector> read_target(const YAML::Node& node, const std::string& label) {
    ProcessSelector selector;
    int chosen = 0;
    size_t errors_before = diagnostic_count();
    bool has_max = false;
    for (const Field& field : reader_.fields(
             node, {"service", "pidfile", "process", "all", "max", "user"}, label + " target")) {
      if (field.key == "all") {
        selector.all = reader_.boolean(field.value, label + " target all").value_or(false);
        continue;
      }
      if (field.key == "max") {
        has_max = true;
        selector.max = static_cast<int>(
            reader_.integer(field.value, label + " target max", 1, 100000).value_or(0));
        continue;
      }
      if (field.key == "user") {
        selector.user = reader_.text(field.value, label + " target user").value_or("");
        if (selector.user.empty()) reader_.error(field.value, label + " target user is empty");
        continue;
      }
      auto value = reader_.text(field.value, label + " target " + field.key);
      if (!value) continue;
      ++chosen;
      if (field.key == "service") {
        selector.service = *value;
        if (!plan_.service(*value)) {
          std::vector<std::string> names;
          for (const auto& service : plan_.services) names.push_back(service.name);
          reader_.error(field.value, label + " targets service '" + *value +
                                         "', which the plan does not define" +
                                         did_you_mean(*value, names));
        }
      } else if (field.key == "pidfile") {
        selector.pidfile = *value;
      } else {
        selector.process = *value;
      }
    }
    if (node.IsMap() && chosen != 1 && diagnostic_count() == errors_before) {
      reader_.error(node, label + " target needs exactly one of service, pidfile or process");
    }
    if (selector.all && selector.process.empty() && node.IsMap()) {
      reader_.error(node, label + " target: 'all' goes with 'process'");
    }
    // `all` on its own could reach every process of that name on the host.
    if (selector.all && !has_max && !selector.process.empty() && node.IsMap()) {
      reader_.error(node, label +
                              " target: 'all: true' needs 'max: N', the most processes it may "
                              "act on (preflight refuses more)");
    }
    if (has_max && !selector.all && node.IsMap()) {
      reader_.error(node, label + " target: 'max' goes with 'all: true'");
    }
    if (diagnostic_count() != errors_before) return std::nullopt;
    return selector;
  }

  void read_after(const YAML::Node& node, FaultSpec& fault, const std::string& label) {
    auto text = reader_.text(node, label + " after");
    if (!text) return;
    static const std::regex form(R"(\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\+\s*(\S+)\s*)?)");
    std::smatch match;
    if (!std::regex_match(*text, match, form)) {
      reader_.error(node,
                    label + " after must be 'FAULT' or 'FAULT + DURATION', not '" + *text + "'");
      return;
    }
    fault.after = match[1];
    after_nodes_.emplace(fault.name,
                         node);  // a duplicate name must not move the first one's errors
    if (match[2].matched) {
      auto delay = parse_duration(match[2].str());
      if (!delay.ok()) return reader_.error(node, label + " after: " + delay.error().message);
      fault.at = *delay;
    }
  }

  // Turns `after: other + 1s` into absolute offsets, reporting unknown names and cycles.
  void resolve_fault_offsets() {
    std::map<std::string, int> state;  // 0 unseen, 1 resolving, 2 resolved
    std::function<bool(FaultSpec&)> resolve = [&](FaultSpec& fault) {
      if (fault.after.empty() || state[fault.name] == 2) return true;
      const YAML::Node& node = after_nodes_[fault.name];
      if (state[fault.name] == 1) {
        reader_.error(node, "fault '" + fault.name + "' is part of an 'after' cycle");
        return false;
      }
      auto found = fault_index_.find(fault.after);
      if (found == fault_index_.end()) {
        std::vector<std::string> names;
        for (const auto& [name, index] : fault_index_) {
          if (name != fault.name) names.push_back(name);
        }
        reader_.error(node, "fault '" + fault.name + "' runs after unknown fault '" + fault.after +
                                "'" + did_you_mean(fault.after, names));
        return false;
      }
      if (found->second == SIZE_MAX) return false;  // that fault has its own error
      state[fault.name] = 1;
      FaultSpec& base = plan_.faults[found->second];
      bool ok = resolve(base);
      fault.at += base.at;
      state[fault.name] = 2;
      return ok;
    };
    for (auto& fault : plan_.faults) resolve(fault);
    std::stable_sort(plan_.faults.begin(), plan_.faults.end(),
                     [](auto& a, auto& b) { return a.at < b.at; });
  }

  size_t diagnostic_count() const { return diagnostics_.size(); }

  static std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

  const Registry& registry_;
  const std::map<std::string, std::string>& cli_vars_;
  std::vector<Diagnostic>& diagnostics_;
  Substitutions substitutions_;
  NodeReader reader_;
  Plan plan_;
  std::map<std::string, size_t> fault_index_;
  std::map<std::string, YAML::Node> after_nodes_;
};

// yaml-cpp builds every node of a file before the loader sees one, at a few
// microseconds each: a file of tiny nodes (`[x,x,x,...]`) would take seconds. Counting
// the parser's events first costs a fraction of that and stops at the limit.
constexpr size_t kMaxYamlNodes = 50'000;

class NodeCounter : public YAML::EventHandler {
 public:
  struct TooMany {
    YAML::Mark mark;
  };
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnMapEnd() override {}

 private:
  void count(const YAML::Mark& mark) {
    if (++nodes_ > kMaxYamlNodes) throw TooMany{mark};
  }
  size_t nodes_ = 0;
};

std::vector<YAML::Node> parse_documents(const std::string& path, const std::string& text,
                                        std::vector<Diagnostic>& diagnostics) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    NodeCounter counter;
    while (parser.HandleNextDocument(counter)) {
    }
    return YAML::LoadAll(text);
  } catch (const NodeCounter::TooMany& too_many) {
    diagnostics.push_back({{path, too_many.mark.line + 1, too_many.mark.column + 1},
                           "plan has more than 50,000 YAML nodes; refusing to read it"});
  } catch (const YAML::ParserException& problem) {
    std::string message = problem.msg;
    if (dynamic_cast<const YAML::DeepRecursion*>(&problem)) message = "nesting is too deep";
    diagnostics.push_back(
        {{path, problem.mark.line + 1, problem.mark.column + 1}, "invalid YAML: " + message});
  } catch (const YAML::Exception& problem) {
    diagnostics.push_back(
        {{path, problem.mark.line + 1, problem.mark.column + 1}, "invalid YAML: " + problem.msg});
  }
  return {};
}

constexpr size_t kMaxDiagnostics = 100;

PlanLoad load_every_error(const std::string& path, const std::string& text,
                          const Registry& registry,
                          const std::map<std::string, std::string>& vars) {
  PlanLoad load;
  load.diagnostics = check_plan_source(path, text);
  if (!load.diagnostics.empty()) return load;
  auto documents = parse_documents(path, text, load.diagnostics);
  if (!load.diagnostics.empty()) return load;
  if (documents.empty() || documents[0].IsNull()) {
    load.diagnostics.push_back({{path, 1, 1}, "plan is empty; a plan starts with 'version: 1'"});
    return load;
  }
  if (documents.size() > 1) {
    load.diagnostics.push_back(
        {{path, documents[1].Mark().line + 1, 1},
         "a plan file holds one YAML document; found " + std::to_string(documents.size())});
    return load;
  }
  const YAML::Node& root = documents[0];
  if (!root.IsMap()) {
    load.diagnostics.push_back(
        {{path, root.Mark().line + 1, root.Mark().column + 1},
         std::string("a plan must be a mapping of keys (version, name, ...), not ") +
             (root.IsSequence() ? "a list" : "a single value")});
    return load;
  }
  PlanLoader loader(path, registry, vars, load.diagnostics);
  Plan plan = loader.load(root);
  if (load.diagnostics.empty()) {
    plan.sha256 = sha256_hex(text);
    load.plan = std::move(plan);
  }
  std::stable_sort(load.diagnostics.begin(), load.diagnostics.end(), [](auto& a, auto& b) {
    return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
  });
  return load;
}

}  // namespace

PlanLoad load_plan_text(const std::string& path, const std::string& text, const Registry& registry,
                        const std::map<std::string, std::string>& vars) {
  PlanLoad load = load_every_error(path, text, registry, vars);
  // Past a hundred, more errors only bury the first ones (a file of 40,000 unknown keys),
  // and rendering each one scans the file up to its line.
  if (load.diagnostics.size() > kMaxDiagnostics) {
    size_t more = load.diagnostics.size() - kMaxDiagnostics;
    load.diagnostics.resize(kMaxDiagnostics);
    load.diagnostics.push_back({{path, 0, 0}, fmt::format("and {} more errors, not shown", more)});
  }
  return load;
}

PlanLoad load_plan_file(const std::string& path, const Registry& registry,
                        const std::map<std::string, std::string>& vars) {
  auto text = read_file(path);
  if (!text.ok()) {
    PlanLoad load;
    load.diagnostics.push_back({{path, 0, 0}, "cannot read plan: " + text.error().message});
    return load;
  }
  PlanLoad load = load_plan_text(path, *text, registry, vars);
  load.text = std::move(*text);
  return load;
}

int SteadyState::rounds_in_flight() const {
  if (max_in_flight > 0) return max_in_flight;
  for (const auto& spec : probes) {
    if (!spec.probe->cheap_to_overlap()) return 2;
  }
  return 64;
}

const ServiceSpec* Plan::service(const std::string& name) const {
  for (const auto& service : services) {
    if (service.name == name) return &service;
  }
  return nullptr;
}

std::string ProcessSelector::describe() const {
  std::string whose = user.empty() ? "" : " of user " + user;
  if (!service.empty()) return "service " + service;
  if (!pidfile.empty()) return "pidfile " + pidfile + whose;
  return "process " + process + whose + (all ? " (all, at most " + std::to_string(max) + ")" : "");
}

}  // namespace faultline
