#include "runner/runner.h"

#include <unistd.h>

#include <cstdlib>

#include "faults/faults.h"
#include "plugins/lua/lua_plugin.h"
#include "runner/probes/probes.h"
#include "runner/safety/stop_process_group.h"

namespace faultline {

Status register_builtin_types(Registry& registry) {
  if (Status faults = register_builtin_faults(registry); !faults) return faults;
  if (Status probes = register_builtin_probes(registry); !probes) return probes;
  if (Status lua = registry.add(make_inline_lua_probe_type()); !lua) return lua;
  return registry.add_rollback_type(make_stop_process_group_type());
}

std::string resolve_home(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("FAULTLINE_HOME"); env && *env) return env;
  if (::geteuid() == 0) return "/var/lib/faultline";
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
    return std::string(state) + "/faultline";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/state/faultline";
}

}  // namespace faultline
