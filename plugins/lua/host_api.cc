#include "plugins/lua/host_api.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "runner/core/secrets.h"
#include "runner/core/text.h"

namespace faultline {
namespace {

constexpr size_t kMaxJournalBytes = 64 * 1024;
constexpr size_t kMaxFileBytes = 1 << 20;
const Millis kDefaultRunTimeout{10000};
const Millis kDefaultNetTimeout{2000};

LuaCallEnv& env_for(lua_State* state, const char* function) {
  LuaCallEnv* env = call_env_of(state);
  if (env == nullptr) {
    luaL_error(state, "%s cannot be called while the plugin file loads; call it from a function",
               function);
  }
  return *env;
}

// Host functions fail by throwing this; guarded() turns it into a Lua error once every
// C++ object of the function is destroyed (lua_error longjmps over C++ frames).
struct HostError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void raise(lua_State*, const std::string& message) { throw HostError(message); }

template <lua_CFunction function>
int guarded(lua_State* state) {
  {
    std::string message;
    try {
      return function(state);
    } catch (const std::exception& problem) {
      message = problem.what();
    }
    lua_pushlstring(state, message.data(), message.size());
  }
  return lua_error(state);
}

// A duration argument: a number of seconds, or text as a plan writes it ("250ms").
Millis duration_arg(lua_State* state, int index, Millis fallback) {
  if (lua_isnoneornil(state, index)) return fallback;
  if (lua_type(state, index) == LUA_TNUMBER) {
    double seconds = lua_tonumber(state, index);
    if (!(seconds >= 0 && seconds <= 30 * 24 * 3600.0)) raise(state, "a duration out of range");
    return Millis(static_cast<int64_t>(seconds * 1000));
  }
  auto parsed = parse_duration(luaL_checkstring(state, index));
  if (!parsed.ok()) raise(state, parsed.error().message);
  return *parsed;
}

Millis within_deadline(lua_State* state, Millis wanted) {
  return std::min(wanted, std::max(time_left_of(state), Millis(1)));
}

std::vector<std::string> argv_arg(lua_State* state, int index) {
  if (lua_type(state, index) != LUA_TTABLE) {
    raise(state,
          "takes a list of arguments such as {'df', '-P', path}; for a shell, "
          "{'sh', '-c', script}");
  }
  std::vector<std::string> argv;
  lua_Integer length = static_cast<lua_Integer>(lua_rawlen(state, index));
  for (lua_Integer i = 1; i <= length; ++i) {
    lua_rawgeti(state, index, i);
    if (lua_type(state, -1) != LUA_TSTRING && lua_type(state, -1) != LUA_TNUMBER) {
      raise(state, "argument " + std::to_string(i) + " is not a string");
    }
    argv.push_back(lua_tostring(state, -1));
    lua_pop(state, 1);
  }
  if (argv.empty()) raise(state, "an empty argument list");
  return argv;
}

std::string optional_field(lua_State* state, int index, const char* name) {
  if (lua_type(state, index) != LUA_TTABLE) return "";
  lua_getfield(state, index, name);
  std::string value = lua_type(state, -1) == LUA_TSTRING ? lua_tostring(state, -1) : "";
  lua_pop(state, 1);
  return value;
}

Millis timeout_field(lua_State* state, int index, Millis fallback) {
  if (lua_type(state, index) != LUA_TTABLE) return within_deadline(state, fallback);
  lua_getfield(state, index, "timeout");
  Millis timeout = duration_arg(state, -1, fallback);
  lua_pop(state, 1);
  return within_deadline(state, timeout);
}

void set_string(lua_State* state, const char* key, const std::string& value) {
  lua_pushlstring(state, value.data(), value.size());
  lua_setfield(state, -2, key);
}

// run(argv [, {timeout=, input=, cwd=}]) -> {code, out, err, timed_out, signal}
int host_run(lua_State* state) {
  LuaCallEnv& env = env_for(state, "run");
  Command command(argv_arg(state, 1), optional_field(state, 2, "cwd"));
  command.input = optional_field(state, 2, "input");
  Millis timeout = timeout_field(state, 2, kDefaultRunTimeout);
  auto result = env.action ? env.action->run_step(env.step, command, timeout)
                           : env.target->run(command, timeout);
  if (!result.ok()) {
    lua_pushnil(state);
    lua_pushstring(state, result.error().message.c_str());
    return 2;
  }
  lua_createtable(state, 0, 5);
  lua_pushinteger(state, result->exit_code);
  lua_setfield(state, -2, "code");
  set_string(state, "out", result->out);
  set_string(state, "err", result->err);
  lua_pushboolean(state, result->timed_out);
  lua_setfield(state, -2, "timed_out");
  lua_pushinteger(state, result->term_signal);
  lua_setfield(state, -2, "signal");
  return 1;
}

// start(argv) -> {pid, start_ticks}: a background process, journaled before it runs.
int host_start(lua_State* state) {
  LuaCallEnv& env = env_for(state, "start");
  if (env.action == nullptr) raise(state, "start is for faults (inject and rollback), not probes");
  auto started = env.action->start_step(env.step, Command(argv_arg(state, 1)));
  if (!started.ok()) raise(state, started.error().message);
  lua_createtable(state, 0, 2);
  lua_pushinteger(state, started->pid);
  lua_setfield(state, -2, "pid");
  lua_pushinteger(state, static_cast<lua_Integer>(started->start_ticks));
  lua_setfield(state, -2, "start_ticks");
  return 1;
}

ProcessId handle_arg(lua_State* state, int index) {
  auto handle = to_json(state, index);
  if (!handle.ok()) raise(state, "not a process handle: " + handle.error().message);
  // Lua integers are signed; a start time is read back as the unsigned it was.
  if (handle->is_object() && handle->contains("start_ticks") &&
      (*handle)["start_ticks"].is_number_integer() &&
      (*handle)["start_ticks"].get<int64_t>() >= 0) {
    (*handle)["start_ticks"] = (*handle)["start_ticks"].get<uint64_t>();
  }
  auto id = read_process_id(JsonReader(*handle, "process handle"));
  if (!id.ok()) raise(state, id.error().message);
  return *id;
}

bool wait_until_gone(Target& target, const ProcessId& process, Millis timeout) {
  MonoTime deadline = MonoClock::now() + timeout;
  while (target.is_alive(process)) {
    if (MonoClock::now() >= deadline) return false;
    std::this_thread::sleep_for(Millis(5));
  }
  return true;
}

// stop(handle) -> true (stopped it) | false (it was already gone): SIGKILLs its group.
int host_stop(lua_State* state) {
  LuaCallEnv& env = env_for(state, "stop");
  ProcessId process = handle_arg(state, 1);
  if (!env.target->is_alive(process)) {
    lua_pushboolean(state, false);
    return 1;
  }
  (void)env.target->signal_group(process, SIGKILL);
  if (!wait_until_gone(*env.target, process, within_deadline(state, Millis(5000)))) {
    raise(state, "process group " + std::to_string(process.pid) + " did not stop after SIGKILL");
  }
  lua_pushboolean(state, true);
  return 1;
}

int host_alive(lua_State* state) {
  LuaCallEnv& env = env_for(state, "alive");
  lua_pushboolean(state, env.target->is_alive(handle_arg(state, 1)));
  return 1;
}

int host_sleep(lua_State* state) {
  Millis wanted = duration_arg(state, 1, Millis(0));
  Millis left = time_left_of(state);
  if (wanted < left) {
    std::this_thread::sleep_for(wanted);
    return 0;
  }
  // Sleeps just past the deadline, where the budget check stops the call.
  std::this_thread::sleep_for(left + Millis(2));
  charge_steps(state, 0);
  return 0;
}

int host_now(lua_State* state) {
  auto since = std::chrono::duration<double>(MonoClock::now().time_since_epoch());
  lua_pushnumber(state, since.count());
  return 1;
}

int host_duration(lua_State* state) {
  lua_pushinteger(state, duration_arg(state, 1, Millis(0)).count());
  return 1;
}

int host_log(lua_State* state) {
  std::string line;
  for (int i = 1; i <= lua_gettop(state); ++i) {
    if (i > 1) line += " ";
    line += luaL_tolstring(state, i, nullptr);
    lua_pop(state, 1);
  }
  line = truncate_text(one_line(redact(line)), 2000);
  LuaCallEnv* env = call_env_of(state);
  if (env && env->log) {
    env->log(line);
  } else {
    std::fprintf(stderr, "faultline: %s: %s\n", env ? env->who.c_str() : "plugin", line.c_str());
  }
  return 0;
}

// journal(state): what rollback needs, written before the fault acts.
int host_journal(lua_State* state) {
  LuaCallEnv& env = env_for(state, "journal");
  if (env.fault == nullptr) raise(state, "journal is for a fault's inject");
  auto value = to_json(state, 1);
  if (!value.ok()) raise(state, "journal: the state holds " + value.error().message);
  Json spec = env.journal_spec(*value);
  if (json_text(spec).size() > kMaxJournalBytes) {
    raise(state, "journal: the state is larger than 64 KiB");
  }
  if (Status written = env.fault->journal_before_acting(spec, env.what); !written) {
    raise(state, "journal: " + written.error().message);
  }
  env.journaled = true;
  env.journaled_spec = spec;
  return 0;
}

// Files of the drill's work dir: plain names only (no folders, no "..", no links).
std::string work_file(lua_State* state, const char* function) {
  LuaCallEnv& env = env_for(state, function);
  std::string dir = env.action ? env.action->work_dir() : "";
  if (dir.empty())
    raise(state, std::string(function) + " needs the drill's work dir (faults only)");
  std::string name = luaL_checkstring(state, 1);
  bool plain =
      !name.empty() && name.size() <= 128 && name != "." && name != ".." &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (!plain) {
    raise(state, std::string(function) + ": '" + name +
                     "' is not a plain file name (letters, digits, . _ -); files live in the "
                     "drill's work dir only");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);
  return dir + "/" + name;
}

int host_fs_read(lua_State* state) {
  std::string path = work_file(state, "fs.read");
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    lua_pushnil(state);
    lua_pushstring(state, std::strerror(errno));
    return 2;
  }
  std::string text;
  char buffer[8192];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && text.size() < kMaxFileBytes) {
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  lua_pushlstring(state, text.data(), std::min(text.size(), kMaxFileBytes));
  return 1;
}

int write_file(lua_State* state, const char* function, int flags) {
  std::string path = work_file(state, function);
  size_t length = 0;
  const char* data = luaL_checklstring(state, 2, &length);
  if (length > kMaxFileBytes) raise(state, std::string(function) + ": more than 1 MiB");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | flags, 0600);
  bool ok = fd >= 0;
  size_t written = 0;
  while (ok && written < length) {
    ssize_t n = ::write(fd, data + written, length - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  int error = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) raise(state, std::string(function) + ": " + std::strerror(error));
  return 0;
}

int host_fs_write(lua_State* state) { return write_file(state, "fs.write", O_TRUNC); }
int host_fs_append(lua_State* state) { return write_file(state, "fs.append", O_APPEND); }

int host_fs_remove(lua_State* state) {
  std::string path = work_file(state, "fs.remove");
  lua_pushboolean(state, ::unlink(path.c_str()) == 0);
  return 1;
}

int host_fs_exists(lua_State* state) {
  std::string path = work_file(state, "fs.exists");
  struct stat info {};
  lua_pushboolean(state, ::lstat(path.c_str(), &info) == 0);
  return 1;
}

int push_http(lua_State* state, LuaCallEnv& env, const HttpRequest& request) {
  auto response = env.target->http(request);
  if (!response.ok()) {
    lua_pushnil(state);
    lua_pushstring(state, response.error().message.c_str());
    return 2;
  }
  lua_createtable(state, 0, 2);
  lua_pushinteger(state, response->status);
  lua_setfield(state, -2, "status");
  set_string(state, "body", response->body);
  return 1;
}

// http.get(url [, {timeout=, headers=}])
int host_http_get(lua_State* state) {
  LuaCallEnv& env = env_for(state, "http.get");
  HttpRequest request;
  request.url = luaL_checkstring(state, 1);
  request.timeout = timeout_field(state, 2, kDefaultNetTimeout);
  return push_http(state, env, request);
}

// http.request{url=, method=, headers=, body=, timeout=}
int host_http_request(lua_State* state) {
  LuaCallEnv& env = env_for(state, "http.request");
  luaL_checktype(state, 1, LUA_TTABLE);
  HttpRequest request;
  request.url = optional_field(state, 1, "url");
  if (request.url.empty()) raise(state, "http.request needs a url");
  std::string method = optional_field(state, 1, "method");
  if (!method.empty()) request.method = method;
  request.body = optional_field(state, 1, "body");
  request.timeout = timeout_field(state, 1, kDefaultNetTimeout);
  lua_getfield(state, 1, "headers");
  if (lua_type(state, -1) == LUA_TTABLE) {
    lua_pushnil(state);
    while (lua_next(state, -2) != 0) {
      if (lua_type(state, -2) == LUA_TSTRING && lua_type(state, -1) == LUA_TSTRING) {
        request.headers[lua_tostring(state, -2)] = lua_tostring(state, -1);
      }
      lua_pop(state, 1);
    }
  }
  lua_pop(state, 1);
  return push_http(state, env, request);
}

// tcp.connect(host, port [, timeout]) -> true | nil, err
int host_tcp_connect(lua_State* state) {
  LuaCallEnv& env = env_for(state, "tcp.connect");
  std::string host = luaL_checkstring(state, 1);
  lua_Integer port = luaL_checkinteger(state, 2);
  if (port < 1 || port > 65535) raise(state, "tcp.connect: port out of range");
  Millis timeout = within_deadline(state, duration_arg(state, 3, kDefaultNetTimeout));
  Status connected = env.target->tcp_connect(host, static_cast<int>(port), timeout);
  if (connected) {
    lua_pushboolean(state, true);
    return 1;
  }
  lua_pushnil(state);
  lua_pushstring(state, connected.error().message.c_str());
  return 2;
}

void set_table(lua_State* state, const char* name, const luaL_Reg* functions) {
  lua_newtable(state);
  luaL_setfuncs(state, functions, 0);
  lua_setglobal(state, name);
}

}  // namespace

void install_host_api(lua_State* state) {
  const luaL_Reg globals[] = {{"run", guarded<host_run>},
                              {"start", guarded<host_start>},
                              {"stop", guarded<host_stop>},
                              {"alive", guarded<host_alive>},
                              {"sleep", guarded<host_sleep>},
                              {"now", host_now},
                              {"log", host_log},
                              {"print", host_log},
                              {"journal", guarded<host_journal>},
                              {"duration", guarded<host_duration>}};
  for (const auto& function : globals) lua_register(state, function.name, function.func);
  const luaL_Reg fs[] = {{"read", guarded<host_fs_read>},     {"write", guarded<host_fs_write>},
                         {"append", guarded<host_fs_append>}, {"remove", guarded<host_fs_remove>},
                         {"exists", guarded<host_fs_exists>}, {nullptr, nullptr}};
  set_table(state, "fs", fs);
  const luaL_Reg http[] = {
      {"get", guarded<host_http_get>}, {"request", guarded<host_http_request>}, {nullptr, nullptr}};
  set_table(state, "http", http);
  const luaL_Reg tcp[] = {{"connect", guarded<host_tcp_connect>}, {nullptr, nullptr}};
  set_table(state, "tcp", tcp);
}

}  // namespace faultline
