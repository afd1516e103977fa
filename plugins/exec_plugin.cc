// Exec plugins: `PLUGIN describe` prints the types it offers; `PLUGIN inject|rollback|
// probe TYPE` gets {"params": ...} on stdin. See README "Plugins".
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "plugins/plugins.h"
#include "runner/core/text.h"

namespace faultline {
namespace {

constexpr int kProtocol = 1;
const Millis kDescribeTimeout{5000};

struct PluginCall {
  std::string plugin;  // path of the executable
  std::string type;
};

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  line = truncate_text(line, 200);
  return line;
}

// Runs one protocol call on `target`; the error says which plugin and call failed.
Result<ExecResult> call(Target& target, const PluginCall& who, const std::string& verb,
                        const Json& params, Millis timeout) {
  Command command({who.plugin, verb, who.type});
  command.input = json_text(Json{{"params", params}});
  auto result = target.run(command, timeout);
  std::string label = "plugin " + who.plugin + " " + verb + " " + who.type;
  if (!result.ok()) return result.error().with_context(label);
  if (result->timed_out) return Error{label + ": timed out after " + format_duration(timeout)};
  return result;
}

Status expect_success(const Result<ExecResult>& result, const PluginCall& who,
                      const std::string& verb) {
  if (!result.ok()) return result.error();
  if (result->exit_code == 0) return {};
  std::string said = first_line(result->err.empty() ? result->out : result->err);
  return Error{"plugin " + who.plugin + " " + verb + " " + who.type + " exited " +
               std::to_string(result->exit_code) + (said.empty() ? "" : ": " + said)};
}

Result<ParamKind> kind_named(const std::string& name) {
  static const std::pair<const char*, ParamKind> kKinds[] = {
      {"string", ParamKind::string},   {"integer", ParamKind::integer},
      {"boolean", ParamKind::boolean}, {"duration", ParamKind::duration},
      {"command", ParamKind::command}, {"list", ParamKind::string_list},
      {"map", ParamKind::string_map},  {"signal", ParamKind::signal},
      {"regex", ParamKind::regex},     {"choice", ParamKind::choice}};
  for (const auto& [known, kind] : kKinds) {
    if (name == known) return kind;
  }
  return Error{"unknown param kind '" + name + "'"};
}

// Defaults are written as a plan would write them ("30s", "TERM"); store them normalized.
Result<Json> normalized_default(const ParamSpec& spec, const Json& value) {
  if (value.is_null()) return value;
  if (spec.kind == ParamKind::duration && value.is_string()) {
    auto parsed = parse_duration(value.get<std::string>());
    if (!parsed.ok()) return parsed.error();
    return Json(parsed->count());
  }
  if (spec.kind == ParamKind::signal && value.is_string()) {
    auto parsed = parse_signal(value.get<std::string>());
    if (!parsed.ok()) return parsed.error();
    return Json(*parsed);
  }
  return value;
}

Result<Schema> schema_from(const Json& params) {
  Schema schema;
  if (!params.is_array()) return Error{"'params' must be a list"};
  for (const auto& entry : params) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) {
      return Error{"every param needs a string 'name'"};
    }
    ParamSpec spec;
    spec.name = entry["name"].get<std::string>();
    auto kind = kind_named(entry.value("kind", "string"));
    if (!kind.ok()) return kind.error().with_context("param '" + spec.name + "'");
    spec.kind = *kind;
    spec.required = entry.value("required", false);
    spec.doc = entry.value("doc", "");
    spec.choices = entry.value("choices", std::vector<std::string>{});
    auto fallback = normalized_default(spec, entry.value("default", Json()));
    if (!fallback.ok()) return fallback.error().with_context("param '" + spec.name + "' default");
    spec.default_value = *fallback;
    schema.params.push_back(std::move(spec));
  }
  return schema;
}

// A plugin call may be given a "timeout" param (milliseconds once normalized).
Millis plugin_timeout(const Json& params, Millis fallback) {
  return Millis(params.value("timeout", static_cast<int64_t>(fallback.count())));
}

const Millis kFaultTimeout{30000};
const Millis kProbeTimeout{5000};

// What every plugin type has: the plugin that serves it, a summary and a schema.
template <class TypeInterface>
class PluginType : public TypeInterface {
 public:
  PluginType(PluginCall who, std::string summary, Schema schema)
      : who_(std::move(who)), summary_(std::move(summary)), schema_(std::move(schema)) {}
  std::string name() const override { return who_.type; }
  std::string summary() const override { return summary_ + " (plugin " + who_.plugin + ")"; }
  const Schema& schema() const override { return schema_; }

 protected:
  PluginCall who_;

 private:
  std::string summary_;
  Schema schema_;
};

class PluginFault final : public Fault {
 public:
  PluginFault(PluginCall who, Json params) : who_(std::move(who)), params_(std::move(params)) {}
  std::string describe() const override { return who_.type + " " + json_text(params_); }

  Result<Json> inject(FaultContext& context) const override {
    // The plugin's rollback works from the params alone, so they are the whole spec.
    Json spec{{"plugin", who_.plugin}, {"params", params_}};
    if (Status journaled = context.journal_before_acting(spec, "plugin " + describe());
        !journaled) {
      return journaled.error();
    }
    if (Status done = expect_success(
            call(context.target(), who_, "inject", params_, plugin_timeout(params_, kFaultTimeout)),
            who_, "inject");
        !done) {
      return done.error();
    }
    return spec;
  }

 private:
  PluginCall who_;
  Json params_;
};

class PluginFaultType final : public PluginType<FaultType> {
 public:
  using PluginType::PluginType;
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    return std::unique_ptr<Fault>(std::make_unique<PluginFault>(who_, params.json()));
  }
  Status rollback(const Json& spec, Target& target) const override {
    Json params = spec.value("params", Json::object());
    return expect_success(
        call(target, who_, "rollback", params, plugin_timeout(params, kFaultTimeout)), who_,
        "rollback");
  }
};

class PluginProbe final : public Probe {
 public:
  PluginProbe(PluginCall who, Json params) : who_(std::move(who)), params_(std::move(params)) {}
  std::string describe() const override { return who_.type + " " + json_text(params_); }
  bool cheap_to_overlap() const override { return false; }
  ProbeOutcome check(Target& target) const override {
    auto result = call(target, who_, "probe", params_, plugin_timeout(params_, kProbeTimeout));
    if (!result.ok()) return {false, result.error().message};
    std::string detail = first_line(result->out.empty() ? result->err : result->out);
    return {result->exit_code == 0,
            detail.empty() ? "exit " + std::to_string(result->exit_code) : detail};
  }

 private:
  PluginCall who_;
  Json params_;
};

class PluginProbeType final : public PluginType<ProbeType> {
 public:
  using PluginType::PluginType;
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    return std::unique_ptr<Probe>(std::make_unique<PluginProbe>(who_, params.json()));
  }
};

// Registers the types one plugin describes; fails without registering any on a bad description.
Status load_plugin(Registry& registry, const std::string& path) {
  auto target = make_local_target();
  auto result = target->run(Command({path, "describe"}), kDescribeTimeout);
  if (!result.ok()) return result.error();
  if (result->timed_out || result->exit_code != 0) {
    return Error{"'describe' " +
                 (result->timed_out ? "timed out" : "exited " + std::to_string(result->exit_code)) +
                 (result->err.empty() ? "" : ": " + first_line(result->err))};
  }
  Json description = Json::parse(result->out, nullptr, /*allow_exceptions=*/false);
  if (!description.is_object()) return Error{"'describe' did not print a JSON object"};
  if (description.value("protocol", 0) != kProtocol) {
    return Error{"speaks protocol " + json_text(description.value("protocol", Json(0))) +
                 "; this faultline speaks " + std::to_string(kProtocol)};
  }
  std::vector<std::unique_ptr<FaultType>> faults;
  std::vector<std::unique_ptr<ProbeType>> probes;
  for (const char* section : {"faults", "probes"}) {
    for (const auto& entry : description.value(section, Json::array())) {
      std::string name = entry.is_object() ? entry.value("name", "") : "";
      if (name.empty() || name.find('.') == std::string::npos) {
        return Error{std::string("every entry in '") + section +
                     "' needs a dotted 'name' (e.g. myteam.flag)"};
      }
      auto schema = schema_from(entry.value("params", Json::array()));
      if (!schema.ok()) return schema.error().with_context(name);
      PluginCall who{path, name};
      std::string summary = entry.value("summary", "");
      if (std::string(section) == "faults")
        faults.push_back(std::make_unique<PluginFaultType>(who, summary, *schema));
      else
        probes.push_back(std::make_unique<PluginProbeType>(who, summary, *schema));
    }
  }
  for (auto& type : faults) {
    if (Status added = registry.add(std::move(type)); !added) return added;
  }
  for (auto& type : probes) {
    if (Status added = registry.add(std::move(type)); !added) return added;
  }
  return {};
}

}  // namespace

std::vector<std::string> plugin_directories(const std::vector<std::string>& flags) {
  std::vector<std::string> dirs = flags;
  if (const char* path = std::getenv("FAULTLINE_PLUGIN_PATH"); path && *path) {
    std::string list = path;
    for (size_t start = 0; start <= list.size();) {
      size_t end = std::min(list.find(':', start), list.size());
      if (end > start) dirs.push_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  return dirs;
}

std::vector<std::string> load_exec_plugins(Registry& registry,
                                           const std::vector<std::string>& directories) {
  std::vector<std::string> problems;
  for (const auto& dir : directories) {
    std::error_code ec;
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      // Absolute, so that a journaled rollback names the same plugin from any cwd.
      if (entry.is_regular_file() && ::access(entry.path().c_str(), X_OK) == 0) {
        paths.push_back(std::filesystem::absolute(entry.path()).lexically_normal().string());
      }
    }
    if (ec) problems.push_back("plugin directory " + dir + ": " + ec.message());
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      if (Status loaded = load_plugin(registry, path); !loaded)
        problems.push_back("plugin " + path + ": " + loaded.error().message);
    }
  }
  return problems;
}

}  // namespace faultline
