#include "plugins/lua/lua_vm.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "plugins/lua/lua_patterns.h"

namespace faultline {

// Lives as long as the state: the allocator's and the hook's view of the current call.
struct LuaVm::Guard {
  LuaLimits limits;
  size_t used = 0;
  bool memory_exceeded = false;
  bool budget_exceeded = false;
  bool deadline_passed = false;
  bool in_call = false;
  int64_t instructions = 0;
  MonoTime deadline{};
  LuaCallEnv* env = nullptr;
};

namespace {

constexpr int kHookEvery = 1000;  // instructions between budget checks
constexpr int kMaxDepth = 32;

LuaVm::Guard* guard_of(lua_State* state) {
  void* data = nullptr;
  lua_getallocf(state, &data);
  return static_cast<LuaVm::Guard*>(data);
}

// The memory cap. Lua calls this for every allocation; refusing one makes Lua collect
// garbage and try again, then raise "not enough memory".
void* capped_alloc(void* data, void* block, size_t old_size, size_t new_size) {
  auto* guard = static_cast<LuaVm::Guard*>(data);
  if (block == nullptr) old_size = 0;  // then old_size is a type tag, not a size
  if (new_size == 0) {
    std::free(block);
    guard->used -= old_size;
    return nullptr;
  }
  if (new_size > old_size && guard->used - old_size + new_size > guard->limits.memory_bytes) {
    if (guard->in_call) guard->memory_exceeded = true;
    return nullptr;
  }
  void* grown = std::realloc(block, new_size);
  if (grown != nullptr) guard->used = guard->used - old_size + new_size;
  return grown;
}

[[noreturn]] void stop_call(lua_State* state, LuaVm::Guard* guard) {
  // From now on, every instruction ends up here: a plugin's pcall cannot swallow it.
  lua_sethook(state, lua_gethook(state), LUA_MASKCOUNT, 1);
  char message[160];
  if (guard->memory_exceeded) {
    std::snprintf(message, sizeof message,
                  "used more than %zu MiB of memory (the cap per call); stopped",
                  guard->limits.memory_bytes >> 20);
  } else if (guard->deadline_passed) {
    std::snprintf(message, sizeof message, "ran longer than %s (the time limit per call); stopped",
                  format_duration(guard->limits.time).c_str());
  } else {
    std::snprintf(message, sizeof message,
                  "ran more than %lld instructions (the budget per call); stopped",
                  static_cast<long long>(guard->limits.instructions));
  }
  luaL_error(state, "%s", message);
  std::abort();  // luaL_error does not return
}

void check_limits(lua_State* state, LuaVm::Guard* guard) {
  if (!guard->in_call) return;
  if (guard->instructions > guard->limits.instructions) guard->budget_exceeded = true;
  if (MonoClock::now() > guard->deadline) guard->deadline_passed = true;
  if (guard->budget_exceeded || guard->memory_exceeded || guard->deadline_passed) {
    stop_call(state, guard);
  }
}

void budget_hook(lua_State* state, lua_Debug*) {
  LuaVm::Guard* guard = guard_of(state);
  guard->instructions += kHookEvery;
  check_limits(state, guard);
}

// load(chunk [, name [, mode [, env]]]): text only, into the sandbox unless given an env.
int sandboxed_load(lua_State* state) {
  size_t length = 0;
  const char* chunk = luaL_checklstring(state, 1, &length);
  const char* name = luaL_optstring(state, 2, "=(load)");
  int env_index = lua_isnone(state, 4) ? 0 : 4;
  if (luaL_loadbufferx(state, chunk, length, name, "t") != LUA_OK) {
    lua_pushnil(state);
    lua_insert(state, -2);
    return 2;
  }
  if (env_index != 0) {
    lua_pushvalue(state, env_index);
    if (lua_setupvalue(state, -2, 1) == nullptr) lua_pop(state, 1);
  }
  return 1;
}

// collectgarbage("count") only: the other options let a plugin steer the collector.
int limited_collectgarbage(lua_State* state) {
  const char* option = luaL_optstring(state, 1, "count");
  if (std::strcmp(option, "count") != 0) {
    return luaL_error(state, "collectgarbage('%s') is not allowed in plugins; only 'count'",
                      option);
  }
  lua_pushnumber(state, static_cast<lua_Number>(lua_gc(state, LUA_GCCOUNT, 0)) +
                            lua_gc(state, LUA_GCCOUNTB, 0) / 1024.0);
  return 1;
}

// setmetatable without finalizers: a __gc would run outside any call's budget.
int no_gc_setmetatable(lua_State* state) {
  if (lua_type(state, 2) == LUA_TTABLE) {
    if (lua_getfield(state, 2, "__gc") != LUA_TNIL) {
      return luaL_error(state, "__gc finalizers are not allowed in plugins");
    }
    lua_pop(state, 1);
  }
  lua_pushvalue(state, lua_upvalueindex(1));
  lua_insert(state, 1);
  lua_call(state, lua_gettop(state) - 1, 1);
  return 1;
}

void remove_global(lua_State* state, const char* name) {
  lua_pushnil(state);
  lua_setglobal(state, name);
}

void open_sandbox_libraries(lua_State* state) {
  const luaL_Reg libraries[] = {
      {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
      {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_COLIBNAME, luaopen_coroutine}};
  for (const auto& library : libraries) {
    luaL_requiref(state, library.name, library.func, 1);
    lua_pop(state, 1);
  }
  for (const char* name : {"dofile", "loadfile", "require"}) remove_global(state, name);
  lua_register(state, "load", sandboxed_load);
  lua_register(state, "collectgarbage", limited_collectgarbage);
  lua_getglobal(state, "setmetatable");
  lua_pushcclosure(state, no_gc_setmetatable, 1);
  lua_setglobal(state, "setmetatable");
  lua_getglobal(state, "string");
  lua_pushnil(state);
  lua_setfield(state, -2, "dump");  // makes bytecode
  lua_pop(state, 1);
  install_budgeted_patterns(state);
}

std::string error_text(lua_State* state) {
  if (lua_type(state, -1) == LUA_TSTRING) return lua_tostring(state, -1);
  return std::string("an error object of type ") + luaL_typename(state, -1);
}

Result<Json> to_json_at(lua_State* state, int index, int depth) {
  index = lua_absindex(state, index);
  if (depth > kMaxDepth) {
    return Error{ErrorCode::invalid, "nested more than 32 levels deep (a cycle?)"};
  }
  switch (lua_type(state, index)) {
    case LUA_TNIL:
      return Json();
    case LUA_TBOOLEAN:
      return Json(lua_toboolean(state, index) != 0);
    case LUA_TNUMBER: {
      if (lua_isinteger(state, index))
        return Json(static_cast<int64_t>(lua_tointeger(state, index)));
      double number = lua_tonumber(state, index);
      if (!std::isfinite(number)) return Error{ErrorCode::invalid, "a number that is not finite"};
      return Json(number);
    }
    case LUA_TSTRING: {
      size_t length = 0;
      const char* text = lua_tolstring(state, index, &length);
      return Json(std::string(text, length));
    }
    case LUA_TTABLE: {
      lua_Integer length = static_cast<lua_Integer>(lua_rawlen(state, index));
      lua_Integer keys = 0;
      bool all_strings = true;
      lua_pushnil(state);
      while (lua_next(state, index) != 0) {
        ++keys;
        if (lua_type(state, -2) != LUA_TSTRING) all_strings = false;
        lua_pop(state, 1);
      }
      if (length > 0 && keys == length) {
        Json array = Json::array();
        for (lua_Integer i = 1; i <= length; ++i) {
          lua_rawgeti(state, index, i);
          auto item = to_json_at(state, -1, depth + 1);
          lua_pop(state, 1);
          if (!item.ok()) return item.error();
          array.push_back(std::move(*item));
        }
        return array;
      }
      if (!all_strings) {
        return Error{ErrorCode::invalid, "a table mixing list items and keys that are not strings"};
      }
      Json object = Json::object();
      lua_pushnil(state);
      while (lua_next(state, index) != 0) {
        std::string key = lua_tostring(state, -2);
        auto item = to_json_at(state, -1, depth + 1);
        lua_pop(state, 1);
        if (!item.ok()) {
          lua_pop(state, 1);
          return item.error().with_context("'" + key + "'");
        }
        object[key] = std::move(*item);
      }
      return object;
    }
    default:
      return Error{ErrorCode::invalid,
                   std::string("a ") + luaL_typename(state, index) + ", which is not data"};
  }
}

}  // namespace

Result<std::unique_ptr<LuaVm>> LuaVm::create(const LuaLimits& limits) {
  std::unique_ptr<LuaVm> vm(new LuaVm());
  vm->guard_ = std::make_unique<Guard>();
  vm->guard_->limits = limits;
  vm->state_ = lua_newstate(capped_alloc, vm->guard_.get());
  if (vm->state_ == nullptr) return Error{"cannot create a Lua state (out of memory)"};
  // Opening the libraries runs outside any call; a failure there is out of memory.
  lua_pushcfunction(vm->state_, [](lua_State* state) {
    open_sandbox_libraries(state);
    return 0;
  });
  if (lua_pcall(vm->state_, 0, 0, 0) != LUA_OK) {
    return Error{"cannot set up the Lua sandbox: " + error_text(vm->state_)};
  }
  lua_sethook(vm->state_, budget_hook, LUA_MASKCOUNT, kHookEvery);
  return vm;
}

LuaVm::~LuaVm() {
  if (state_ != nullptr) lua_close(state_);
}

Status LuaVm::run_source(const std::string& source, const std::string& chunk_name) {
  if (luaL_loadbufferx(state_, source.data(), source.size(), chunk_name.c_str(), "t") != LUA_OK) {
    std::string message = error_text(state_);
    lua_pop(state_, 1);
    return Error{ErrorCode::invalid, message};
  }
  return call(0, 0, nullptr);
}

Status LuaVm::call(int nargs, int nresults, LuaCallEnv* env) {
  Guard& guard = *guard_;
  guard.instructions = 0;
  guard.budget_exceeded = guard.memory_exceeded = guard.deadline_passed = false;
  guard.deadline = MonoClock::now() + guard.limits.time;
  guard.env = env;
  guard.in_call = true;
  lua_sethook(state_, budget_hook, LUA_MASKCOUNT, kHookEvery);
  int status = lua_pcall(state_, nargs, nresults, 0);
  guard.in_call = false;
  guard.env = nullptr;
  if (status == LUA_OK) return {};
  std::string message = error_text(state_);
  lua_pop(state_, 1);
  if (guard.memory_exceeded && status == LUA_ERRMEM) {
    message = "used more than " + std::to_string(guard.limits.memory_bytes >> 20) +
              " MiB of memory (the cap per call); stopped";
  }
  ErrorCode code = guard.deadline_passed ? ErrorCode::timed_out : ErrorCode::failed;
  return Error{code, message};
}

bool LuaVm::spent() const {
  return guard_->memory_exceeded || guard_->budget_exceeded || guard_->deadline_passed;
}

LuaCallEnv* LuaVm::env() { return guard_->env; }
const LuaLimits& LuaVm::limits() const { return guard_->limits; }

Millis LuaVm::time_left() const {
  auto left = std::chrono::duration_cast<Millis>(guard_->deadline - MonoClock::now());
  return left.count() > 0 ? left : Millis(0);
}

void push_json(lua_State* state, const Json& value) {
  luaL_checkstack(state, 4, "nested too deep");
  if (value.is_boolean()) {
    lua_pushboolean(state, value.get<bool>());
  } else if (value.is_number_integer() || value.is_number_unsigned()) {
    lua_pushinteger(state, value.get<int64_t>());
  } else if (value.is_number()) {
    lua_pushnumber(state, value.get<double>());
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    lua_pushlstring(state, text.data(), text.size());
  } else if (value.is_array()) {
    lua_createtable(state, static_cast<int>(value.size()), 0);
    lua_Integer i = 1;
    for (const auto& item : value) {
      push_json(state, item);
      lua_rawseti(state, -2, i++);
    }
  } else if (value.is_object()) {
    lua_createtable(state, 0, static_cast<int>(value.size()));
    for (const auto& [key, item] : value.items()) {
      push_json(state, item);
      lua_setfield(state, -2, key.c_str());
    }
  } else {
    lua_pushnil(state);
  }
}

Result<Json> to_json(lua_State* state, int index) { return to_json_at(state, index, 0); }

void charge_steps(lua_State* state, int64_t steps) {
  LuaVm::Guard* guard = guard_of(state);
  guard->instructions += steps;
  check_limits(state, guard);
}

LuaCallEnv* call_env_of(lua_State* state) { return guard_of(state)->env; }
const LuaLimits& limits_of(lua_State* state) { return guard_of(state)->limits; }
Millis time_left_of(lua_State* state) {
  auto left = std::chrono::duration_cast<Millis>(guard_of(state)->deadline - MonoClock::now());
  return left.count() > 0 ? left : Millis(0);
}

}  // namespace faultline
