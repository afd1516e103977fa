#pragma once
// The plugin host. Plugins add fault and probe types to the same Registry the built-in
// types use. This version hosts exec plugins (any executable speaking the protocol in
// README "Plugins"); Lua plugins will register through the same path.
#include <string>
#include <vector>

#include "runner/core/registry.h"

namespace faultline {

// Directories from `flags`, then $FAULTLINE_PLUGIN_PATH (colon-separated).
std::vector<std::string> plugin_directories(const std::vector<std::string>& flags);

// Registers every executable in `directories` as an exec plugin, asking each (through
// `target`) what it offers. Returns one message per plugin that could not be loaded
// (each names the plugin and why); the others load. Never throws, whatever a plugin
// prints.
std::vector<std::string> load_exec_plugins(Registry& registry,
                                           const std::vector<std::string>& directories,
                                           Target& target);

}  // namespace faultline
