#include "runner/cli/commands.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "faultline_version.h"
#include "plugins/plugins.h"
#include "reports/reports.h"
#include "runner/cli/plan_files.h"
#include "runner/cli/records_shared.h"
#include "runner/core/exit_codes.h"
#include "runner/core/json_reader.h"
#include "runner/core/secrets.h"
#include "runner/core/signals.h"
#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "runner/os/local_target.h"
#include "runner/os/target_locks.h"
#include "runner/runner.h"
#include "runner/schedule/schedule.h"

namespace faultline {
namespace {

using exit_codes::kAborted;
using exit_codes::kRecordNotWritten;
using exit_codes::kRollbackFailed;
using exit_codes::kUsage;

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
  auto target = make_local_target();
  PluginLoader loader(registry, *target);
  // Shipped beside the binary (build/plugins in a build tree), then <home>/plugins,
  // $FAULTLINE_PLUGIN_PATH, --plugins, and last each plan's own `plugins:`.
  std::string shipped = executable_dir().empty() ? "" : executable_dir() + "/plugins";
  for (const auto& directory :
       plugin_directories(shipped, resolve_home(options.home), options.plugin_dirs)) {
    loader.load_directory(directory);
  }
  for (const auto& plan : options.plans) {
    for (const auto& path : plan_plugin_paths(plan)) loader.load_path(path);
  }
  const auto& problems = loader.problems();
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

// Prints every diagnostic (errors, and notes of what was checked without a value);
// returns the plan when it loaded.
std::optional<Plan> load_or_report(const std::string& path,
                                   const std::map<std::string, std::string>& vars, LoadMode mode) {
  PlanLoad load = load_plan_file(path, registry(), vars, mode);
  for (const auto& diagnostic : load.diagnostics) {
    std::fputs(redact(render_diagnostic(diagnostic, load.text)).c_str(), stderr);
  }
  if (load.plan) return std::move(load.plan);
  size_t errors = load.count(Severity::error), notes = load.count(Severity::note);
  std::string counted = fmt::format("{} error{}", errors, errors == 1 ? "" : "s");
  if (notes > 0) counted += fmt::format(", {} note{}", notes, notes == 1 ? "" : "s");
  std::fprintf(stderr, "%s: %s\n", path.c_str(), counted.c_str());
  return std::nullopt;
}

}  // namespace

std::string operator_name(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* var : {"SUDO_USER", "USER", "LOGNAME"}) {
    if (const char* value = std::getenv(var); value && *value) return value;
  }
  if (passwd* entry = getpwuid(geteuid())) return entry->pw_name;
  return "uid " + std::to_string(geteuid());
}

namespace {

std::string figure(const ObjectiveResult& result, std::optional<double> value) {
  if (!value) return "not measured";
  if (result.unit == "percent") return fmt::format("{:.2f}%", *value);
  return format_duration(Millis(static_cast<int64_t>(*value + 0.5)));
}

std::string ms_text(std::optional<double> value) {
  return value ? fmt::format("{:.0f}ms", *value) : std::string("-");
}

std::string objective_line(const ObjectiveResult& objective) {
  if (objective.status == ObjectiveStatus::not_evaluated) {
    return fmt::format("  {:<13} target {:<10} not evaluated (the drill did not run to its end)\n",
                       objective.name, figure(objective, objective.target));
  }
  return fmt::format("  {:<13} target {:<10} achieved {:<14} {}\n", objective.name,
                     figure(objective, objective.target), figure(objective, objective.achieved),
                     objective.status == ObjectiveStatus::met ? "met" : "MISSED");
}

// `exit_code` is what the run returns; when it is not the drill's own (its outputs went
// astray), the headline says so, so that it never reads "PASSED (exit 0)" for a run that
// exits 5.
void print_summary(const DrillReport& report, int exit_code, const std::string& record_line) {
  std::string upper = report.verdict;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  std::string exit_text =
      exit_code == report.exit_code
          ? fmt::format("exit {}", exit_code)
          : fmt::format("exit {}: the drill ran, but its outputs did not all go where asked",
                        exit_code);
  std::string out = fmt::format("faultline: {} {} ({}): {}\n", report.plan->name, upper, exit_text,
                                report.reason);
  for (const auto& objective : report.objectives) out += objective_line(objective);
  const Measurements& m = report.measurements;
  if (report.evaluated) {
    for (const auto& fault : m.faults) {
      if (fault.outages.empty()) {
        out += fmt::format("  fault {:<12} caused no outage · rto 0ms\n", fault.name);
        continue;
      }
      out +=
          fmt::format("  fault {:<12} detected after {} · {} outage(s) · rto {}\n", fault.name,
                      ms_text(fault.time_to_detect_ms), fault.outages.size(),
                      fault.recovered ? ms_text(fault.rto_ms) : "not measured (never recovered)");
    }
    out += fmt::format(
        "  drill: rto {} · downtime {} · {} drill rounds ({} passing) · resolution {}ms, K={}\n",
        ms_text(m.rto_ms), ms_text(m.downtime_ms), m.drill_rounds, m.passing_rounds,
        m.resolution_ms, m.recovered_after);
    if (report.workload && report.workload->measurement) {
      const LedgerMeasurement& l = *report.workload->measurement;
      out += fmt::format(
          "  ledger: rpo {} · {} writes acknowledged · {} lost · {} duplicated · {} unexpected · "
          "{} split-brain · {} in doubt ({} survived) · {}/s to {}\n",
          ms_text(l.rpo_ms), l.acknowledged, l.lost, l.duplicates, l.unexpected,
          l.split_brain_writes, l.in_doubt, l.in_doubt_survived, report.workload->rate,
          report.workload->read_back_server);
    } else if (report.workload) {
      out += "  ledger: not measured: " + report.workload->error + "\n";
    }
    for (const auto& gap : m.gaps) {
      out += fmt::format(
          "  WARNING: no probe round started for {:.0f}ms at +{:.3f}s (the runner was "
          "stalled, or max_in_flight rounds were all waiting: see the timeline); figures "
          "across it are uncertain\n",
          gap.to_ms - gap.from_ms, gap.from_ms / 1000.0);
    }
  }
  for (const auto& leftover : report.leftovers) out += "  LEFT FAULTED: " + leftover + "\n";
  out += record_line;
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
  if (!load_registry(options, PluginProblems::fatal)) return kUsage;
  std::map<std::string, std::string> vars;
  if (!parse_vars(options.vars, vars)) return kUsage;
  int invalid = 0;
  for (const auto& path : options.plans) {
    // CI lints plans without their secrets: what has no value here is a note.
    auto plan = load_or_report(path, vars, LoadMode::to_check);
    if (!plan) {
      ++invalid;
      continue;
    }
    std::printf("%s: ok: plan '%s', %zu fault(s), %zu probe(s), %zu service(s)\n", path.c_str(),
                plan->name.c_str(), plan->faults.size(), plan->steady_state.probes.size(),
                plan->services.size());
    if (plan->schedule) {
      auto schedule = Schedule::make(plan->schedule->cron, plan->schedule->timezone);
      if (schedule)
        std::printf("  %s\n", describe_next_due(*schedule, WallClock::now(), 3).c_str());
    }
  }
  return invalid ? kUsage : 0;
}

// The run's exit code: the drill's own, unless its outputs went astray. A judged drill
// (0, 1) then exits 5: CI would not find its verdict where it looks. An abort (3) or a
// failed rollback (4) keeps its code: that is what must be acted on first (a preflight
// that refused the records folder is an abort), and the summary says where the record
// went.
int run_exit_code(int drill_exit_code, bool outputs_as_asked) {
  if (outputs_as_asked || drill_exit_code == kAborted || drill_exit_code == kRollbackFailed) {
    return drill_exit_code;
  }
  return kRecordNotWritten;
}

// Writes the record (and JUnit) where asked; a record that cannot go there goes to
// <home>/records, and as a last resort to stderr: a drill that ran is never without one.
// When anything went astray, the record is rewritten where it landed with the run's exit
// code and a note of what went wrong, so that it explains itself. Returns the run's exit
// code; `record_line` gets the lines the summary ends with.
int write_outputs(const CliOptions& options, Json& record, int drill_exit_code,
                  const std::string& records, const std::string& home,
                  const std::string& junit_path, std::string& record_line) {
  std::vector<std::string> astray;
  std::string problem;
  auto written = write_record_with_fallback(record, records, home + "/records", &problem);
  if (!written.ok()) {
    astray.push_back(written.error().message);
    record_line =
        "  RECORD NOT WRITTEN: " + written.error().message + "; the record follows on stderr\n";
  } else {
    if (!problem.empty()) {
      astray.push_back(problem);
      record_line = "  RECORD NOT WRITTEN WHERE ASKED: " + problem + "\n";
    }
    record_line += "  record: " + *written + "\n";
  }
  if (!junit_path.empty()) {
    if (Status junit = write_junit(record, junit_path); !junit) {
      astray.push_back("JUnit report not written: " + junit.error().message);
      record_line += "  JUNIT NOT WRITTEN: " + junit.error().message + "\n";
    }
  }
  int exit_code = run_exit_code(drill_exit_code, astray.empty());
  if (!astray.empty()) {
    record["exit_code"] = exit_code;
    for (const auto& what : astray) record["notes"].push_back(redact(what));
  }
  // The store gets the record as it is final, unless the store itself fails.
  if (Status stored = append_record(options, record); !stored) {
    std::string problem = "record not in the record store: " + stored.error().message;
    record_line += "  RECORD NOT STORED: " + stored.error().message + "\n";
    astray.push_back(problem);
    exit_code = run_exit_code(drill_exit_code, false);
    record["exit_code"] = exit_code;
    record["notes"].push_back(redact(problem));
  }
  if (astray.empty()) return exit_code;
  if (written.ok()) {
    // Over the copy just written; should this fail, that copy stays.
    (void)write_record(record, std::filesystem::path(*written).parent_path().string());
  } else {
    std::fprintf(stderr, "faultline: the drill record could not be written; here it is:\n%s\n",
                 json_text(record, 2).c_str());
  }
  return exit_code;
}

int command_run(const CliOptions& options) {
  if (!load_registry(options, PluginProblems::fatal)) return kUsage;
  std::map<std::string, std::string> vars;
  if (!parse_vars(options.vars, vars)) return kUsage;
  auto plan = load_or_report(options.plans.at(0), vars, LoadMode::to_run);
  if (!plan) return kUsage;
  std::string home = resolve_home(options.home);
  std::string records = options.records_dir.empty() ? home + "/records" : options.records_dir;
  auto target = make_local_target();
  if (options.dry_run) {
    TargetLocks locks(default_lock_dir(), Json::object());
    PreflightResult preflight =
        run_preflight(*plan, *target, {records, options.junit_path}, locks, LockMode::check_only);
    std::fputs(redact(describe_dry_run(*plan, preflight)).c_str(), stdout);
    return preflight.ok() ? 0 : kAborted;
  }

  // No drill runs that could not reach its record store (nor sign for it).
  auto key = resolve_ledger_key(options.key_file);
  auto store = key ? open_store_of(options, StoreOpening::create_if_missing)
                   : Result<std::unique_ptr<RecordStore>>(key.error());
  if (!store) {
    std::fprintf(stderr, "faultline: %s; the drill did not start\n",
                 redact(store.error().message).c_str());
    return kAborted;
  }
  store->reset();  // reopened at the end: a connection held for the whole drill could break
  auto tiers = tier_table_of(options);
  if (!tiers) {
    std::fprintf(stderr, "faultline: %s; the drill did not start\n",
                 redact(tiers.error().message).c_str());
    return kAborted;
  }

  StopRequest stop;
  SignalWatcher watcher(stop);
  DrillOptions drill_options{
      home, operator_name(options.operator_name), target, &stop, records, options.junit_path, "",
      vars};
  ViewOptions view_options{options.log_format == "json" ? LogFormat::json : LogFormat::text,
                           static_cast<bool>(isatty(STDERR_FILENO)), options.quiet};
  auto view = make_view(view_options);
  DrillReport report = run_drill(*plan, drill_options, *view);
  Json record = record_json(report);
  record["tiers"] = assess_tiers(record, *tiers);
  std::string record_line;
  int exit_code = write_outputs(options, record, report.exit_code, records, home,
                                options.junit_path, record_line);
  view->on_finish(record);
  view.reset();  // the live view's last lines come before the summary
  print_summary(report, exit_code, record_line);
  return exit_code;
}

// A drill's plan may have brought Lua plugins of its own (`plugins:`), which recover is
// not told about: their files are named in the journal. Only Lua files are loaded from
// there (sandboxed, and running nothing while they load), never an executable a journal
// names.
void load_journaled_lua_plugins(const std::string& journal_dir) {
  auto target = make_local_target();
  PluginLoader loader(registry(), *target);
  for (const auto& path : list_journals(journal_dir)) {
    auto text = read_file(path);
    if (!text.ok()) continue;
    for (const auto& action : parse_journal(path, *text).pending) {
      JsonReader spec(action.rollback, "journal");
      auto plugin = spec.text_or("plugin", "");
      if (registry().rollback_type(action.type) || !plugin.ok() || plugin->size() < 5 ||
          plugin->compare(plugin->size() - 4, 4, ".lua") != 0) {
        continue;
      }
      loader.load_path(*plugin);
    }
  }
  for (const auto& problem : loader.problems()) {
    std::fprintf(stderr, "faultline: warning: %s\n", problem.c_str());
  }
}

int command_recover(const CliOptions& options) {
  load_registry(options, PluginProblems::warn);
  std::string home = resolve_home(options.home);
  load_journaled_lua_plugins(home + "/journal");
  RecoverReport report =
      recover_from_journals(home + "/journal", registry(), *make_local_target(), home + "/records");
  for (const auto& path : report.records) {
    auto text = read_file(path);
    Json record = text ? Json::parse(*text, nullptr, false) : Json();
    Status stored =
        record.is_object() ? append_record(options, record) : Status(Error{"cannot read it back"});
    report.lines.push_back(stored ? "record " + path + " added to the record store"
                                  : "RECORD NOT STORED: " + path + ": " + stored.error().message);
  }
  // Lines are redacted only now: recover learns each drill's secrets from its journal.
  for (const auto& line : report.lines) std::printf("%s\n", redact(line).c_str());
  if (report.failures > 0) {
    std::printf("faultline recover: %d problem(s); the system may still be faulted (see above)\n",
                report.failures);
    return kRollbackFailed;
  }
  return 0;
}

int command_types(const CliOptions& options) {
  if (!load_registry(options, PluginProblems::fatal)) return kUsage;
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

int command_schema(const CliOptions& options) {
  if (!load_registry(options, PluginProblems::fatal)) return kUsage;
  std::printf("%s\n", json_text(plan_json_schema(registry()), 2).c_str());
  return 0;
}

int command_version(const CliOptions&) {
  std::printf("faultline %s\n", FAULTLINE_VERSION);
  return 0;
}

}  // namespace faultline

namespace faultline {

bool load_plans_to_check(const CliOptions& options, std::vector<Plan>& plans) {
  if (!load_registry(options, PluginProblems::fatal)) return false;
  bool all = true;
  for (const auto& path : options.plans) {
    auto plan = load_or_report(path, {}, LoadMode::to_check);
    if (plan) plans.push_back(std::move(*plan));
    all = all && plan.has_value();
  }
  return all;
}

}  // namespace faultline
