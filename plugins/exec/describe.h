#pragma once
// Reading what an exec plugin says it offers (`PLUGIN describe`), without trusting it.
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/params.h"
#include "runner/core/result.h"

namespace faultline {

struct PluginTypeDescription {
  std::string name;  // dotted: team.flag
  std::string summary;
  Schema schema;
};

struct PluginDescription {
  std::vector<PluginTypeDescription> faults;
  std::vector<PluginTypeDescription> probes;
};

constexpr int kPluginProtocol = 1;

// Parses describe's output; every error names the entry and field at fault, e.g.
// "describe 'faults'[0] 'team.flag' param 'path': 'required' must be true or false, not
// \"yes\"".
Result<PluginDescription> parse_plugin_description(const std::string& output);

// One type entry ({name, summary, params}) as `describe` prints it and as a Lua plugin
// declares it; `where` starts every error ("plugin /p/x.lua fault 1").
Result<PluginTypeDescription> parse_plugin_type(const Json& entry, const std::string& where);

}  // namespace faultline
