#pragma once
// One sandboxed Lua 5.4 state: our own thin binding over the C API (see README "Lua
// plugins" for why not a binding library). A state runs one call at a time and is never
// shared between threads; a probe keeps a pool of them.
//
// The sandbox: only the base (without dofile, loadfile, collectgarbage; `load` reads
// text only, into the sandbox), string (without dump), table, math, utf8 and coroutine
// libraries; no io, os, package/require, debug. setmetatable refuses __gc. String
// patterns run on a matcher that counts its steps against the instruction budget.
// Every call has an instruction budget, a memory cap (a counting allocator) and a
// deadline; crossing one stops the call, even through the plugin's own pcall, with an
// error that says which.
#include <lua.hpp>
#include <memory>
#include <string>

#include "runner/core/duration.h"
#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline {

struct LuaLimits {
  int64_t instructions = 50'000'000;  // VM instructions (and pattern steps) per call
  size_t memory_bytes = 32u << 20;    // the whole state, per call
  Millis time{5000};                  // wall clock per call, host calls included
};

struct LuaCallEnv;  // host_api.h

class LuaVm {
 public:
  static Result<std::unique_ptr<LuaVm>> create(const LuaLimits& limits);
  ~LuaVm();
  LuaVm(const LuaVm&) = delete;
  LuaVm& operator=(const LuaVm&) = delete;

  lua_State* state() { return state_; }

  // Runs `source` (text only; bytecode is refused) as the chunk `chunk_name`, which
  // names it in Lua's error messages ("@/path/x.lua").
  Status run_source(const std::string& source, const std::string& chunk_name);

  // Calls the function on top of the stack with `nargs` arguments above it, under a
  // fresh budget and deadline; leaves `nresults` results on the stack when it succeeds
  // (and nothing when it fails). `env` is what host functions act through during it.
  Status call(int nargs, int nresults, LuaCallEnv* env);

  // Whether a limit was crossed during the last call: the state should not be reused.
  bool spent() const;

  LuaCallEnv* env();
  const LuaLimits& limits() const;
  // Time left of the current call's deadline (0 when past it).
  Millis time_left() const;

  struct Guard;  // allocator and hook state, in lua_vm.cc

 private:
  LuaVm() = default;
  lua_State* state_ = nullptr;
  std::unique_ptr<Guard> guard_;
};

// Json -> a Lua value on the stack. Objects become tables, arrays sequences, null nil.
void push_json(lua_State* state, const Json& value);
// The Lua value at `index` -> Json; tables with keys 1..n are arrays, other tables
// objects with string keys. Functions, userdata, cycles, NaN and more than 32 levels
// are errors.
Result<Json> to_json(lua_State* state, int index);

// For host functions, from inside a call: its environment (null while a plugin file
// loads), its limits, and the time left before its deadline.
LuaCallEnv* call_env_of(lua_State* state);
const LuaLimits& limits_of(lua_State* state);
Millis time_left_of(lua_State* state);

// Counts steps of the budgeted pattern matcher (lua_patterns.cc); raises a Lua error
// when the call's budget is spent.
void charge_steps(lua_State* state, int64_t steps);

}  // namespace faultline
