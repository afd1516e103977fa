// Exec plugins: `PLUGIN describe` prints the types it offers; `PLUGIN inject|rollback|
// probe TYPE` gets {"params": ...} on stdin. See README "Plugins".
#include "plugins/exec/describe.h"
#include "plugins/plugin_type.h"
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
  PluginFaultType(PluginCall who, std::string summary, Schema schema)
      : PluginType(who.type, who.plugin, std::move(summary), std::move(schema)),
        who_(std::move(who)) {}
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

 private:
  PluginCall who_;
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
  PluginProbeType(PluginCall who, std::string summary, Schema schema)
      : PluginType(who.type, who.plugin, std::move(summary), std::move(schema)),
        who_(std::move(who)) {}
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    return std::unique_ptr<Probe>(std::make_unique<PluginProbe>(
        who_, params.json(), plugin_timeout(schema(), params.json(), kProbeTimeout)));
  }

 private:
  PluginCall who_;
};

}  // namespace

Result<PluginTypes> load_exec_plugin(const std::string& path, Target& target) {
  auto result = target.run(Command({path, "describe"}), kDescribeTimeout);
  if (!result.ok()) return result.error();
  if (!result->succeeded()) {
    return Error{"'describe' " + result->how_it_ended(kDescribeTimeout) +
                 (result->err.empty() ? "" : ": " + first_line(result->err))};
  }
  auto description = parse_plugin_description(result->out);
  if (!description.ok()) return description.error();
  PluginTypes types;
  for (const auto& type : description->faults) {
    types.faults.push_back(
        std::make_unique<PluginFaultType>(PluginCall{path, type.name}, type.summary, type.schema));
  }
  for (const auto& type : description->probes) {
    types.probes.push_back(
        std::make_unique<PluginProbeType>(PluginCall{path, type.name}, type.summary, type.schema));
  }
  return types;
}

}  // namespace faultline
