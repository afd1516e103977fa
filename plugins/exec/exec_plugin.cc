// Exec plugins: `PLUGIN describe` prints the types it offers; `PLUGIN inject|rollback|
// probe TYPE` gets {"params": ...} on stdin. See README "Plugins".
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "plugins/exec/describe.h"
#include "plugins/plugins.h"
#include "runner/core/json_reader.h"
#include "runner/core/secrets.h"
#include "runner/core/text.h"

namespace faultline {
namespace {

const Millis kDescribeTimeout{5000};
const Millis kFaultTimeout{30000};
const Millis kProbeTimeout{5000};

struct PluginCall {
  std::string plugin;  // absolute path of the executable
  std::string type;
};

std::string first_line(const std::string& text) {
  return truncate_text(one_line(redact(text.substr(0, text.find('\n')))), 200);
}

Command plugin_command(const PluginCall& who, const std::string& verb, const Json& params) {
  Command command({who.plugin, verb, who.type});
  command.input = json_text(Json{{"params", params}});
  return command;
}

std::string label(const PluginCall& who, const std::string& verb) {
  return "plugin " + who.plugin + " " + verb + " " + who.type;
}

// Fails unless the call exited 0, quoting the first line it said.
Status expect_success(const Result<ExecResult>& result, const PluginCall& who,
                      const std::string& verb, Millis timeout) {
  if (!result.ok()) return result.error().with_context(label(who, verb));
  if (result->succeeded()) return {};
  std::string said = first_line(result->err.empty() ? result->out : result->err);
  return Error{label(who, verb) + " " + result->how_it_ended(timeout) +
               (said.empty() ? "" : ": " + said)};
}

// A plugin call may be given a "timeout" param of kind duration (milliseconds once
// normalized); a param of any other kind named timeout is the plugin's own business (an
// integer 5 is not 5 ms, and a string is not a duration at all).
Millis plugin_timeout(const Schema& schema, const Json& params, Millis fallback) {
  const ParamSpec* spec = schema.find("timeout");
  if (spec == nullptr || spec->kind != ParamKind::duration) return fallback;
  Millis given = Params(params).duration("timeout");
  return given.count() > 0 ? given : fallback;
}

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
  PluginFault(PluginCall who, Json params, Millis timeout)
      : who_(std::move(who)), params_(std::move(params)), timeout_(timeout) {}
  std::string describe() const override { return who_.type + " " + json_text(params_); }

  Result<Json> inject(FaultContext& context) const override {
    // The plugin's rollback works from the params alone, so they are the whole spec.
    Json spec{{"plugin", who_.plugin}, {"params", params_}};
    if (Status journaled = context.journal_before_acting(spec, "plugin " + describe());
        !journaled) {
      return journaled.error();
    }
    auto ran = context.run_step("inject", plugin_command(who_, "inject", params_), timeout_);
    if (Status done = expect_success(ran, who_, "inject", timeout_); !done) return done.error();
    return spec;
  }

 private:
  PluginCall who_;
  Json params_;
  Millis timeout_;
};

class PluginFaultType final : public PluginType<FaultType> {
 public:
  using PluginType::PluginType;
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    return std::unique_ptr<Fault>(std::make_unique<PluginFault>(
        who_, params.json(), plugin_timeout(schema(), params.json(), kFaultTimeout)));
  }
  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    JsonReader reader(spec, label(who_, "rollback") + " spec");
    Json params = reader.raw("params").is_object() ? reader.raw("params") : Json::object();
    Millis timeout = plugin_timeout(schema(), params, kFaultTimeout);
    auto ran = context.run_step("rollback", plugin_command(who_, "rollback", params), timeout);
    if (Status done = expect_success(ran, who_, "rollback", timeout); !done) return done.error();
    return Undo::done;
  }
};

class PluginProbe final : public Probe {
 public:
  PluginProbe(PluginCall who, Json params, Millis timeout)
      : who_(std::move(who)), params_(std::move(params)), timeout_(timeout) {}
  std::string describe() const override { return who_.type + " " + json_text(params_); }
  bool cheap_to_overlap() const override { return false; }
  ProbeOutcome check(Target& target) const override {
    auto result = target.run(plugin_command(who_, "probe", params_), timeout_);
    if (!result.ok()) return {false, result.error().message};
    if (result->timed_out) return {false, "timed out after " + format_duration(timeout_)};
    std::string detail = first_line(result->out.empty() ? result->err : result->out);
    return {result->exit_code == 0, detail.empty() ? result->how_it_ended(timeout_) : detail};
  }

 private:
  PluginCall who_;
  Json params_;
  Millis timeout_;
};

class PluginProbeType final : public PluginType<ProbeType> {
 public:
  using PluginType::PluginType;
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    return std::unique_ptr<Probe>(std::make_unique<PluginProbe>(
        who_, params.json(), plugin_timeout(schema(), params.json(), kProbeTimeout)));
  }
};

// Registers the types one plugin describes; fails without registering any on a bad
// description.
Status load_plugin(Registry& registry, const std::string& path, Target& target) {
  auto result = target.run(Command({path, "describe"}), kDescribeTimeout);
  if (!result.ok()) return result.error();
  if (!result->succeeded()) {
    return Error{"'describe' " + result->how_it_ended(kDescribeTimeout) +
                 (result->err.empty() ? "" : ": " + first_line(result->err))};
  }
  auto description = parse_plugin_description(result->out);
  if (!description.ok()) return description.error();
  for (const auto& type : description->faults) {
    if (registry.fault_type(type.name) || registry.rollback_type(type.name)) {
      return Error{ErrorCode::in_use, "fault type '" + type.name + "' is registered twice"};
    }
  }
  for (const auto& type : description->probes) {
    if (registry.probe_type(type.name)) {
      return Error{ErrorCode::in_use, "probe type '" + type.name + "' is registered twice"};
    }
  }
  for (const auto& type : description->faults) {
    (void)registry.add(
        std::make_unique<PluginFaultType>(PluginCall{path, type.name}, type.summary, type.schema));
  }
  for (const auto& type : description->probes) {
    (void)registry.add(
        std::make_unique<PluginProbeType>(PluginCall{path, type.name}, type.summary, type.schema));
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
                                           const std::vector<std::string>& directories,
                                           Target& target) {
  std::vector<std::string> problems;
  for (const auto& dir : directories) {
    std::error_code ec;
    std::vector<std::string> paths;
    // Incremented with an error_code: the throwing operator++ would end the runner.
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      // Absolute, so that a journaled rollback names the same plugin from any cwd.
      std::error_code type_error;
      if (it->is_regular_file(type_error) && ::access(it->path().c_str(), X_OK) == 0) {
        paths.push_back(std::filesystem::absolute(it->path()).lexically_normal().string());
      }
    }
    if (ec) problems.push_back("plugin directory " + dir + ": " + ec.message());
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      if (Status loaded = load_plugin(registry, path, target); !loaded)
        problems.push_back("plugin " + path + ": " + loaded.error().message);
    }
  }
  return problems;
}

}  // namespace faultline
