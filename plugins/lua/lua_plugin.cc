#include "plugins/lua/lua_plugin.h"

#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "plugins/exec/describe.h"
#include "plugins/lua/host_api.h"
#include "plugins/lua/lua_vm.h"
#include "plugins/plugin_type.h"
#include "runner/core/json_reader.h"
#include "runner/core/secrets.h"
#include "runner/core/text.h"

namespace faultline {
namespace {

constexpr size_t kMaxSourceBytes = 1 << 20;
constexpr size_t kMaxPooledStates = 8;
const Millis kFaultTimeout{30000};
const Millis kProbeTimeout{5000};
const char* kDeclared = "faultline.declared";  // registry: "fault:NAME" -> declaration
const char* kOrder = "faultline.order";        // registry: list of {kind, name}

struct LuaSource {
  std::string path;
  std::string text;
};

// faultline.fault{...} / faultline.probe{...}: keeps the declaration for the host.
int declare(lua_State* state, const char* kind) {
  luaL_checktype(state, 1, LUA_TTABLE);
  lua_getfield(state, 1, "name");
  if (lua_type(state, -1) != LUA_TSTRING) {
    return luaL_error(state, "faultline.%s{...} needs a name = \"team.something\"", kind);
  }
  std::string key = std::string(kind) + ":" + lua_tostring(state, -1);
  lua_getfield(state, LUA_REGISTRYINDEX, kDeclared);
  if (lua_getfield(state, -1, key.c_str()) != LUA_TNIL) {
    return luaL_error(state, "%s type '%s' is declared twice in this file", kind,
                      key.c_str() + std::string(kind).size() + 1);
  }
  lua_pop(state, 1);
  lua_pushvalue(state, 1);
  lua_setfield(state, -2, key.c_str());
  lua_getfield(state, LUA_REGISTRYINDEX, kOrder);
  lua_pushstring(state, key.c_str());
  lua_rawseti(state, -2, static_cast<lua_Integer>(lua_rawlen(state, -2)) + 1);
  return 0;
}

int declare_fault(lua_State* state) { return declare(state, "fault"); }
int declare_probe(lua_State* state) { return declare(state, "probe"); }

// A sandboxed state with the host API and faultline.fault/probe, nothing run yet.
Result<std::unique_ptr<LuaVm>> new_vm(const LuaLimits& limits) {
  auto vm = LuaVm::create(limits);
  if (!vm.ok()) return vm.error();
  lua_State* state = (*vm)->state();
  install_host_api(state);
  lua_newtable(state);
  lua_setfield(state, LUA_REGISTRYINDEX, kDeclared);
  lua_newtable(state);
  lua_setfield(state, LUA_REGISTRYINDEX, kOrder);
  const luaL_Reg declarations[] = {
      {"fault", declare_fault}, {"probe", declare_probe}, {nullptr, nullptr}};
  lua_newtable(state);
  luaL_setfuncs(state, declarations, 0);
  lua_setglobal(state, "faultline");
  return vm;
}

Result<std::unique_ptr<LuaVm>> vm_with(const LuaSource& source, const LuaLimits& limits) {
  auto vm = new_vm(limits);
  if (!vm.ok()) return vm.error();
  if (Status ran = (*vm)->run_source(source.text, "@" + source.path); !ran) return ran.error();
  return vm;
}

// Pushes field `field` of the declaration `kind:name` (nil when absent).
int push_declared(lua_State* state, const std::string& kind, const std::string& name,
                  const char* field) {
  lua_getfield(state, LUA_REGISTRYINDEX, kDeclared);
  std::string key = kind + ":" + name;
  if (lua_getfield(state, -1, key.c_str()) != LUA_TTABLE) {
    lua_pop(state, 2);
    lua_pushnil(state);
    return LUA_TNIL;
  }
  int type = lua_getfield(state, -1, field);
  lua_replace(state, -3);
  lua_pop(state, 1);
  return type;
}

std::string lua_text(lua_State* state, int index) {
  size_t length = 0;
  const char* text = lua_tolstring(state, index, &length);
  return text ? std::string(text, length) : std::string();
}

// One call of a declared function: "plugin FILE fault NAME inject". Errors say so.
class DeclaredCall {
 public:
  DeclaredCall(const LuaSource& source, std::string kind, std::string name, const char* function)
      : source_(source), kind_(std::move(kind)), name_(std::move(name)), function_(function) {}

  std::string who() const {
    return "plugin " + source_.path + " " + kind_ + " " + name_ + " " + function_;
  }

  // A fresh state with the function pushed; null when the type does not declare it.
  Result<std::unique_ptr<LuaVm>> prepare(const LuaLimits& limits) const {
    auto vm = vm_with(source_, limits);
    if (!vm.ok()) return vm.error().with_context("plugin " + source_.path);
    if (push_declared((*vm)->state(), kind_, name_, function_) != LUA_TFUNCTION) {
      lua_pop((*vm)->state(), 1);
      return std::unique_ptr<LuaVm>();
    }
    return vm;
  }

 private:
  const LuaSource& source_;
  std::string kind_, name_;
  const char* function_;
};

LuaLimits limits_for(Millis time) {
  LuaLimits limits;
  limits.time = time;
  return limits;
}

// validate(params) -> nil | message [, param]; then describe(params) -> text.
Result<std::string> validate_and_describe(const LuaSource& source, const std::string& kind,
                                          const std::string& name, const Json& params) {
  DeclaredCall validate(source, kind, name, "validate");
  auto vm = validate.prepare(limits_for(kProbeTimeout));
  if (!vm.ok()) return vm.error();
  if (*vm) {
    lua_State* state = (*vm)->state();
    push_json(state, params);
    if (Status ran = (*vm)->call(1, 2, nullptr); !ran) {
      return ran.error().with_context(validate.who());
    }
    if (!lua_isnil(state, -2) && lua_toboolean(state, -2) && lua_type(state, -2) == LUA_TSTRING) {
      std::string message = lua_text(state, -2);
      std::string param = lua_type(state, -1) == LUA_TSTRING ? lua_text(state, -1) : "";
      return Error{ErrorCode::invalid, message, param};
    }
  }
  DeclaredCall describe(source, kind, name, "describe");
  auto described = describe.prepare(limits_for(kProbeTimeout));
  if (!described.ok()) return described.error();
  if (!*described) return name + " " + json_text(params);
  lua_State* state = (*described)->state();
  push_json(state, params);
  if (Status ran = (*described)->call(1, 1, nullptr); !ran) {
    return ran.error().with_context(describe.who());
  }
  return truncate_text(one_line(lua_text(state, -1)), 300);
}

class LuaFault final : public Fault {
 public:
  LuaFault(std::shared_ptr<const LuaSource> source, std::string name, Json params,
           std::string description, Millis timeout)
      : source_(std::move(source)),
        name_(std::move(name)),
        params_(std::move(params)),
        description_(std::move(description)),
        timeout_(timeout) {}

  std::string describe() const override { return description_; }

  // preflight(p) -> nil | message: whether this host can run the fault, before any acts.
  Status preflight(Target& target) const override {
    DeclaredCall preflight(*source_, "fault", name_, "preflight");
    auto vm = preflight.prepare(limits_for(timeout_));
    if (!vm.ok()) return vm.error();
    if (!*vm) return {};
    LuaCallEnv env;
    env.who = preflight.who();
    env.target = &target;
    lua_State* state = (*vm)->state();
    push_json(state, params_);
    if (Status ran = (*vm)->call(1, 1, &env); !ran)
      return ran.error().with_context(preflight.who());
    if (lua_type(state, -1) == LUA_TSTRING) return Error{ErrorCode::refused, lua_text(state, -1)};
    return {};
  }

  Result<Json> inject(FaultContext& context) const override {
    DeclaredCall inject(*source_, "fault", name_, "inject");
    auto vm = inject.prepare(limits_for(timeout_));
    if (!vm.ok()) return vm.error();
    if (!*vm) return Error{inject.who() + ": not declared"};
    LuaCallEnv env;
    env.who = inject.who();
    env.target = &context.target();
    env.action = &context;
    env.fault = &context;
    env.what = "plugin " + description_;
    env.journal_spec = [this](const Json& state) {
      return Json{{"plugin", source_->path}, {"type", name_}, {"state", state}};
    };
    push_json((*vm)->state(), params_);
    Status ran = (*vm)->call(1, 0, &env);
    if (!ran) return ran.error().with_context(inject.who());
    // Nothing journaled: the plugin says there is nothing to undo.
    return env.journaled ? env.journaled_spec : Json();
  }

 private:
  std::shared_ptr<const LuaSource> source_;
  std::string name_;
  Json params_;
  std::string description_;
  Millis timeout_;
};

class LuaFaultType final : public PluginType<FaultType> {
 public:
  LuaFaultType(std::shared_ptr<const LuaSource> source, const PluginTypeDescription& type)
      : PluginType(type.name, source->path, type.summary, type.schema),
        source_(std::move(source)) {}

  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    auto description = validate_and_describe(*source_, "fault", name(), params.json());
    if (!description.ok()) return description.error();
    return std::unique_ptr<Fault>(
        std::make_unique<LuaFault>(source_, name(), params.json(), *description,
                                   plugin_timeout(schema(), params.json(), kFaultTimeout)));
  }

  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    DeclaredCall rollback(*source_, "fault", name(), "rollback");
    JsonReader reader(spec, rollback.who() + " spec");
    auto vm = rollback.prepare(limits_for(kFaultTimeout));
    if (!vm.ok()) return vm.error();
    if (!*vm) return Error{rollback.who() + ": not declared"};
    LuaCallEnv env;
    env.who = rollback.who();
    env.target = &context.target();
    env.action = &context;
    env.step = "rollback";
    push_json((*vm)->state(), reader.raw("state"));
    Status ran = (*vm)->call(1, 1, &env);
    if (!ran) return ran.error().with_context(rollback.who());
    lua_State* state = (*vm)->state();
    bool nothing_left = lua_isboolean(state, -1) && !lua_toboolean(state, -1);
    return nothing_left ? Undo::already_undone : Undo::done;
  }

 private:
  std::shared_ptr<const LuaSource> source_;
};

// States ready to run one probe's check, each used by one call at a time.
class StatePool {
 public:
  using Factory = std::function<Result<std::unique_ptr<LuaVm>>()>;
  explicit StatePool(Factory factory) : factory_(std::move(factory)) {}

  Result<std::unique_ptr<LuaVm>> take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto vm = std::move(idle_.back());
        idle_.pop_back();
        return vm;
      }
    }
    return factory_();
  }
  // A state that crossed a limit may be in any shape: it is closed, not kept.
  void give_back(std::unique_ptr<LuaVm> vm) {
    if (vm->spent()) return;
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxPooledStates) idle_.push_back(std::move(vm));
  }

 private:
  Factory factory_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<LuaVm>> idle_;
};

// A probe whose check is a function `push_check` leaves on the stack of a pooled state.
class LuaProbe final : public Probe {
 public:
  LuaProbe(std::string who, std::string description, Json params, StatePool::Factory factory,
           std::function<void(lua_State*)> push_check)
      : who_(std::move(who)),
        description_(std::move(description)),
        params_(std::move(params)),
        pool_(std::make_unique<StatePool>(std::move(factory))),
        push_check_(std::move(push_check)) {}

  std::string describe() const override { return description_; }
  bool cheap_to_overlap() const override { return false; }

  ProbeOutcome check(Target& target) const override {
    auto vm = pool_->take();
    if (!vm.ok()) return {false, vm.error().message};
    lua_State* state = (*vm)->state();
    LuaCallEnv env;
    env.who = who_;
    env.target = &target;
    push_check_(state);
    push_json(state, params_);
    Status ran = (*vm)->call(1, 2, &env);
    ProbeOutcome outcome;
    if (!ran) {
      outcome = {false, truncate_text(one_line(redact(ran.error().message)), 300)};
    } else {
      outcome.ok = lua_toboolean(state, -2) != 0;
      std::string detail = lua_isnil(state, -1) ? "" : lua_text(state, -1);
      if (detail.empty() && lua_type(state, -1) != LUA_TNIL) detail = luaL_typename(state, -1);
      outcome.detail = truncate_text(one_line(redact(detail)), 300);
      if (outcome.detail.empty()) outcome.detail = outcome.ok ? "ok" : "check returned false";
      lua_pop(state, 2);
    }
    pool_->give_back(std::move(*vm));
    return outcome;
  }

 private:
  std::string who_;
  std::string description_;
  Json params_;
  std::unique_ptr<StatePool> pool_;
  std::function<void(lua_State*)> push_check_;
};

class LuaProbeType final : public PluginType<ProbeType> {
 public:
  LuaProbeType(std::shared_ptr<const LuaSource> source, const PluginTypeDescription& type)
      : PluginType(type.name, source->path, type.summary, type.schema),
        source_(std::move(source)) {}

  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    auto description = validate_and_describe(*source_, "probe", name(), params.json());
    if (!description.ok()) return description.error();
    Millis timeout = plugin_timeout(schema(), params.json(), kProbeTimeout);
    auto source = source_;
    auto factory = [source, timeout] { return vm_with(*source, limits_for(timeout)); };
    auto push_check = [name = name()](lua_State* state) {
      push_declared(state, "probe", name, "check");
    };
    return std::unique_ptr<Probe>(
        std::make_unique<LuaProbe>(DeclaredCall(*source_, "probe", name(), "check").who(),
                                   *description, params.json(), factory, push_check));
  }

 private:
  std::shared_ptr<const LuaSource> source_;
};

Result<std::string> read_source(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error{ErrorCode::not_found, "cannot read it"};
  std::string text;
  char buffer[16384];
  while (file.read(buffer, sizeof buffer), file.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(file.gcount()));
    if (text.size() > kMaxSourceBytes) return Error{ErrorCode::invalid, "larger than 1 MiB"};
  }
  return text;
}

// Checks the functions a declaration must have, and turns the rest into the
// describe-protocol entry the exec host reads too.
Result<PluginTypeDescription> read_declaration(lua_State* state, const std::string& kind,
                                               const std::string& path) {
  std::vector<const char*> needed = kind == "fault" ? std::vector<const char*>{"inject", "rollback"}
                                                    : std::vector<const char*>{"check"};
  lua_getfield(state, -1, "name");
  std::string name = lua_text(state, -1);
  lua_pop(state, 1);
  std::string where = "plugin " + path + " " + kind + " '" + name + "'";
  for (const char* function : needed) {
    if (lua_getfield(state, -1, function) != LUA_TFUNCTION) {
      lua_pop(state, 1);
      return Error{ErrorCode::invalid,
                   where + ": needs a function '" + function + "' (" + kind + "s have " +
                       (kind == "fault" ? "inject and rollback" : "check") + ")"};
    }
    lua_pop(state, 1);
  }
  Json entry{{"name", name}};
  for (const char* field : {"summary", "params"}) {
    lua_getfield(state, -1, field);
    auto value = to_json(state, -1);
    lua_pop(state, 1);
    if (!value.ok()) return value.error().with_context(where + " '" + field + "'");
    if (!value->is_null()) entry[field] = *value;
  }
  // An empty Lua table reads as an object; an empty params list is what it means.
  if (entry.contains("params") && entry["params"].is_object() && entry["params"].empty()) {
    entry["params"] = Json::array();
  }
  return parse_plugin_type(entry, "plugin " + path + " " + kind);
}

}  // namespace

Result<PluginTypes> load_lua_plugin(const std::string& path) {
  auto text = read_source(path);
  if (!text.ok()) return text.error();
  auto source = std::make_shared<const LuaSource>(LuaSource{path, std::move(*text)});
  auto vm = vm_with(*source, limits_for(kProbeTimeout));
  if (!vm.ok()) return vm.error();
  lua_State* state = (*vm)->state();
  PluginTypes types;
  lua_getfield(state, LUA_REGISTRYINDEX, kOrder);
  lua_Integer count = static_cast<lua_Integer>(lua_rawlen(state, -1));
  for (lua_Integer i = 1; i <= count; ++i) {
    lua_rawgeti(state, -1, i);
    std::string key = lua_text(state, -1);
    lua_pop(state, 1);
    std::string kind = key.substr(0, key.find(':'));
    lua_getfield(state, LUA_REGISTRYINDEX, kDeclared);
    lua_getfield(state, -1, key.c_str());
    auto type = read_declaration(state, kind, path);
    lua_pop(state, 2);
    if (!type.ok()) return type.error();
    if (kind == "fault") {
      types.faults.push_back(std::make_unique<LuaFaultType>(source, *type));
    } else {
      types.probes.push_back(std::make_unique<LuaProbeType>(source, *type));
    }
  }
  if (count == 0) {
    return Error{ErrorCode::invalid,
                 "declares no types (call faultline.fault{...} or faultline.probe{...})"};
  }
  return types;
}

namespace {

const char* kInlineCheck = "faultline.inline_check";

class InlineLuaProbeType final : public ProbeType {
 public:
  InlineLuaProbeType() {
    schema_.params = {
        {"code",
         ParamKind::string,
         true,
         Json(),
         "Lua run as a check: returns ok [, detail], e.g. \"return http.get(url).status == "
         "200\"",
         {}},
        {"vars", ParamKind::string_map, false, Json(), "globals the code sees (name: value)", {}},
        {"timeout",
         ParamKind::duration,
         false,
         Json(kProbeTimeout.count()),
         "the whole check, host calls included",
         {}}};
  }
  std::string name() const override { return "lua"; }
  std::string summary() const override {
    return "inline Lua check (sandboxed; the host API of Lua plugins)";
  }
  const Schema& schema() const override { return schema_; }
  std::string shorthand_param() const override { return "code"; }

  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    std::string code = params.text("code");
    Json vars = params.json().contains("vars") ? params.json()["vars"] : Json::object();
    LuaLimits limits = limits_for(plugin_timeout(schema_, params.json(), kProbeTimeout));
    auto factory = [code, vars, limits]() -> Result<std::unique_ptr<LuaVm>> {
      auto vm = new_vm(limits);
      if (!vm.ok()) return vm.error();
      lua_State* state = (*vm)->state();
      if (luaL_loadbufferx(state, code.data(), code.size(), "=lua probe", "t") != LUA_OK) {
        std::string message = lua_text(state, -1);
        return Error{ErrorCode::invalid, message, "code"};
      }
      lua_setfield(state, LUA_REGISTRYINDEX, kInlineCheck);
      for (const auto& [name, value] : vars.items()) {
        push_json(state, value);
        lua_setglobal(state, name.c_str());
      }
      return vm;
    };
    // A syntax error is a plan error, at load time.
    if (auto checked = factory(); !checked.ok()) return checked.error();
    auto push_check = [](lua_State* state) {
      lua_getfield(state, LUA_REGISTRYINDEX, kInlineCheck);
    };
    return std::unique_ptr<Probe>(
        std::make_unique<LuaProbe>("lua probe", "lua: " + truncate_text(one_line(code), 120),
                                   Json::object(), factory, push_check));
  }

 private:
  Schema schema_;
};

}  // namespace

std::unique_ptr<ProbeType> make_inline_lua_probe_type() {
  return std::make_unique<InlineLuaProbeType>();
}

}  // namespace faultline
