#pragma once
// Lua plugins: a .lua file declares fault and probe types (README "Lua plugins"):
//
//   faultline.fault { name = "team.flag", summary = "...",
//                     params = { {name = "path", kind = "string", required = true} },
//                     validate = function(p) ... end,      -- optional: nil | message, param
//                     describe = function(p) ... end,      -- optional: one line
//                     inject = function(p) journal({...}) ... end,
//                     rollback = function(state) ... end } -- false: nothing left to undo
//   faultline.probe { name = "team.up", params = {...}, check = function(p) return ok, detail end }
//
// Every call runs in a sandboxed state of its own (a probe's come from a pool), so
// probes run concurrently without sharing one.
#include <memory>
#include <string>

#include "plugins/plugins.h"

namespace faultline {

// Reads the file (at most 1 MiB) and runs it once to collect its declarations. Any
// error (syntax, a declaration that is not well formed, a runaway top level) names the
// file and, for a declaration, the type.
Result<PluginTypes> load_lua_plugin(const std::string& path);

// The built-in probe type "lua" for one-off checks written inline in a plan:
//   - {name: up, lua: "return http.get('http://127.0.0.1:8080/').status == 200"}
//   - {name: up, lua: {code: "return tcp.connect(host, 5432)", vars: {host: 127.0.0.1}}}
std::unique_ptr<ProbeType> make_inline_lua_probe_type();

}  // namespace faultline
