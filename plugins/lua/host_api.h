#pragma once
// The host API a Lua plugin sees (README "Lua plugins"): everything acts through the
// Target or the fault's context, never on the system directly.
//   run(argv [, {timeout=, input=, cwd=}]) -> {code, out, err, timed_out, signal}
//   start(argv) -> handle      stop(handle) -> true|false     alive(handle) -> bool
//   sleep(d)   now()   log(...)   journal(state)   duration("1.5s") -> ms
//   fs.read/write/append/remove/exists(name)   (the drill's work dir; faults only)
//   http.get(url [, opts]), http.request{...} -> {status, body} | nil, err
//   tcp.connect(host, port [, timeout]) -> true | nil, err
#include <functional>
#include <optional>
#include <string>

#include "plugins/lua/lua_vm.h"
#include "runner/core/fault.h"

namespace faultline {

// What host functions act through during one call.
struct LuaCallEnv {
  std::string who;  // "plugin /p/x.lua team.flag inject": prefixes errors and logs
  Target* target = nullptr;
  ActionContext* action = nullptr;  // faults: steps are journaled and recorded
  FaultContext* fault = nullptr;    // inject only: journal() and the fault's processes
  std::string step = "inject";      // names run()/start() steps in the drill record
  // journal(state) builds the journaled spec from the state and says what the fault does.
  std::function<Json(const Json& state)> journal_spec;
  std::string what;
  bool journaled = false;
  Json journaled_spec;
  std::function<void(const std::string&)> log;  // null: logs go to stderr
};

// Installs the host functions as globals of `state` (once, when a state is set up).
void install_host_api(lua_State* state);

}  // namespace faultline
