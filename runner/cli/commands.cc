#include "runner/cli/commands.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "faultline_version.h"
#include "plugins/plugins.h"
#include "reports/reports.h"
#include "runner/core/files.h"
#include "runner/core/secrets.h"
#include "runner/runner.h"

namespace faultline {
namespace {

constexpr int kExitUsage = 2;

// Built-in types and the plugins' types, in one registry. A plugin that cannot be
// loaded is fatal for commands that would use it, and a warning for recover (which must
// still undo what the other types left behind).
enum class PluginProblems { fatal, warn };

Registry* registry_instance = nullptr;

bool load_registry(const CliOptions& options, PluginProblems handling) {
  static Registry registry;
  registry_instance = &registry;
  if (Status ok = register_builtin_types(registry); !ok) {
    std::fprintf(stderr, "faultline: %s\n", ok.error().message.c_str());
    return false;
  }
  auto problems = load_exec_plugins(registry, plugin_directories(options.plugin_dirs));
  for (const auto& problem : problems) {
    std::fprintf(stderr, "faultline: %s%s\n", handling == PluginProblems::warn ? "warning: " : "",
                 problem.c_str());
  }
  return problems.empty() || handling == PluginProblems::warn;
}

Registry& registry() { return *registry_instance; }

bool parse_vars(const std::vector<std::string>& given, std::map<std::string, std::string>& out) {
  for (const auto& item : given) {
    size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      std::fprintf(stderr, "faultline: --var takes NAME=VALUE, not '%s'\n", item.c_str());
      return false;
    }
    out[item.substr(0, equals)] = item.substr(equals + 1);
  }
  return true;
}

// Prints every diagnostic; returns whether the plan loaded.
std::optional<Plan> load_or_report(const std::string& path,
                                   const std::map<std::string, std::string>& vars) {
  PlanLoad load = load_plan_file(path, registry(), vars);
  if (load.plan) return std::move(load.plan);
  for (const auto& diagnostic : load.diagnostics) {
    std::fputs(redact(render_diagnostic(diagnostic, load.text)).c_str(), stderr);
  }
  std::fprintf(stderr, "%s: %zu error%s\n", path.c_str(), load.diagnostics.size(),
               load.diagnostics.size() == 1 ? "" : "s");
  return std::nullopt;
}

std::string operator_name(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* var : {"SUDO_USER", "USER", "LOGNAME"}) {
    if (const char* value = std::getenv(var); value && *value) return value;
  }
  if (passwd* entry = getpwuid(geteuid())) return entry->pw_name;
  return "uid " + std::to_string(geteuid());
}

std::string figure(const ObjectiveResult& result, std::optional<double> value) {
  if (!value) return "not measured";
  if (result.unit == "percent") return fmt::format("{:.2f}%", *value);
  return format_duration(Millis(static_cast<int64_t>(*value + 0.5)));
}

void print_summary(const DrillReport& report, const std::string& record_path) {
  std::string upper = report.verdict;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  std::string out = fmt::format("faultline: {} {} (exit {}): {}\n", report.plan->name, upper,
                                report.exit_code, report.reason);
  for (const auto& objective : report.objectives) {
    out += fmt::format("  {:<13} target {:<10} achieved {:<14} {}\n", objective.name,
                       figure(objective, objective.target), figure(objective, objective.achieved),
                       objective.status == ObjectiveStatus::met ? "met" : "MISSED");
  }
  const Measurements& m = report.measurements;
  auto ms = [](std::optional<double> v) {
    return v ? fmt::format("{:.0f}ms", *v) : std::string("-");
  };
  out += fmt::format(
      "  detected after {} · downtime {} · rto {} · {} drill rounds ({} passing) · "
      "resolution {}ms, K={}\n",
      ms(m.time_to_detect_ms), ms(m.downtime_ms), ms(m.rto_ms), m.drill_rounds, m.passing_rounds,
      m.resolution_ms, m.recovered_after);
  for (const auto& leftover : report.leftovers) out += "  LEFT FAULTED: " + leftover + "\n";
  if (!record_path.empty()) out += "  record: " + record_path + "\n";
  std::fputs(redact(out).c_str(), stdout);
  std::fflush(stdout);
}

std::string default_text(const ParamSpec& spec) {
  if (spec.default_value.is_null()) return spec.required ? "required" : "optional";
  if (spec.kind == ParamKind::duration)
    return "default " + format_duration(Millis(spec.default_value.get<int64_t>()));
  if (spec.kind == ParamKind::signal)
    return "default " + signal_name(spec.default_value.get<int>());
  return "default " + (spec.default_value.is_string() ? spec.default_value.get<std::string>()
                                                      : json_text(spec.default_value));
}

Json schema_json(const Schema& schema) {
  Json params = schema.to_json();
  for (size_t i = 0; i < schema.params.size(); ++i) {
    const ParamSpec& spec = schema.params[i];
    if (spec.default_value.is_null()) continue;
    if (spec.kind == ParamKind::duration)
      params[i]["default"] = format_duration(Millis(spec.default_value.get<int64_t>()));
    if (spec.kind == ParamKind::signal)
      params[i]["default"] = signal_name(spec.default_value.get<int>());
  }
  return params;
}

template <class Type>
void print_types(const char* heading, const std::vector<std::string>& names,
                 const Type* (Registry::*lookup)(const std::string&) const) {
  std::printf("%s\n", heading);
  for (const auto& name : names) {
    const Type* type = (registry().*lookup)(name);
    std::printf("  %-20s %s\n", name.c_str(), type->summary().c_str());
    for (const auto& spec : type->schema().params) {
      std::string kind = spec.kind == ParamKind::choice
                             ? "one of " + fmt::format("{}", fmt::join(spec.choices, "|"))
                             : param_kind_name(spec.kind);
      std::printf("      %-18s %-18s %-18s %s\n", spec.name.c_str(), kind.c_str(),
                  default_text(spec).c_str(), spec.doc.c_str());
    }
  }
}

}  // namespace

int command_validate(const CliOptions& options) {
  if (!load_registry(options, PluginProblems::fatal)) return kExitUsage;
  std::map<std::string, std::string> vars;
  if (!parse_vars(options.vars, vars)) return kExitUsage;
  int invalid = 0;
  for (const auto& path : options.plans) {
    auto plan = load_or_report(path, vars);
    if (!plan) {
      ++invalid;
      continue;
    }
    std::printf("%s: ok: plan '%s', %zu fault(s), %zu probe(s), %zu service(s)\n", path.c_str(),
                plan->name.c_str(), plan->faults.size(), plan->steady_state.probes.size(),
                plan->services.size());
  }
  return invalid ? kExitUsage : 0;
}

int command_run(const CliOptions& options) {
  if (!load_registry(options, PluginProblems::fatal)) return kExitUsage;
  std::map<std::string, std::string> vars;
  if (!parse_vars(options.vars, vars)) return kExitUsage;
  auto plan = load_or_report(options.plans.at(0), vars);
  if (!plan) return kExitUsage;
  if (options.dry_run) {
    std::fputs(redact(describe_timeline(*plan)).c_str(), stdout);
    return 0;
  }
  std::string home = resolve_home(options.home);
  std::string records = options.records_dir.empty() ? home + "/records" : options.records_dir;

  StopRequest stop;
  SignalWatcher watcher(stop);
  DrillOptions drill_options{home, operator_name(options.operator_name), make_local_target(),
                             &stop};
  ViewOptions view_options{options.log_format == "json" ? LogFormat::json : LogFormat::text,
                           static_cast<bool>(isatty(STDERR_FILENO)), options.quiet};
  auto view = make_view(view_options);
  DrillReport report = run_drill(*plan, drill_options, *view);
  Json record = record_json(report);
  view->on_finish(record);
  int exit_code = report.exit_code;
  auto written = write_record(record, records);
  if (!written.ok()) {
    std::fprintf(stderr, "faultline: %s\n", written.error().message.c_str());
    if (exit_code == 0) exit_code = 1;
  }
  if (!options.junit_path.empty()) {
    if (Status junit = write_junit(record, options.junit_path); !junit) {
      std::fprintf(stderr, "faultline: %s\n", junit.error().message.c_str());
      if (exit_code == 0) exit_code = 1;
    }
  }
  print_summary(report, written.ok() ? *written : "");
  return exit_code;
}

int command_recover(const CliOptions& options) {
  load_registry(options, PluginProblems::warn);
  std::string home = resolve_home(options.home);
  RecoverReport report = recover_from_journals(home + "/journal", registry());
  for (const auto& line : report.lines) std::printf("%s\n", redact(line).c_str());
  if (report.failures > 0) {
    std::printf(
        "faultline recover: %d action(s) could not be undone; the system may still be faulted\n",
        report.failures);
    return 4;
  }
  return 0;
}

int command_types(const CliOptions& options) {
  if (!load_registry(options, PluginProblems::fatal)) return kExitUsage;
  if (options.json) {
    Json out{{"faults", Json::array()}, {"probes", Json::array()}};
    for (const auto& name : registry().fault_type_names()) {
      const FaultType* type = registry().fault_type(name);
      out["faults"].push_back(Json{
          {"name", name}, {"summary", type->summary()}, {"params", schema_json(type->schema())}});
    }
    for (const auto& name : registry().probe_type_names()) {
      const ProbeType* type = registry().probe_type(name);
      out["probes"].push_back(Json{
          {"name", name}, {"summary", type->summary()}, {"params", schema_json(type->schema())}});
    }
    std::printf("%s\n", json_text(out, 2).c_str());
    return 0;
  }
  print_types<FaultType>(
      "fault types (faults: - {name, type, at|after, duration, target, params}):",
      registry().fault_type_names(), &Registry::fault_type);
  std::printf("\n");
  print_types<ProbeType>("probe types (probes: - {name, TYPE: {params}}):",
                         registry().probe_type_names(), &Registry::probe_type);
  return 0;
}

int command_version(const CliOptions&) {
  std::printf("faultline %s\n", FAULTLINE_VERSION);
  return 0;
}

}  // namespace faultline
