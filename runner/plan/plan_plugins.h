#pragma once
// A plan's `plugins:` (files or folders, relative to the plan file) must be loaded
// before the plan itself, whose faults and probes may use their types. This reads just
// that key, forgivingly: anything wrong with the plan is for the full load to report.
#include <string>
#include <vector>

namespace faultline {

// The plugin paths the plan at `plan_path` names, made absolute against its folder;
// none for standard input ("-") or a plan that does not parse.
std::vector<std::string> plan_plugin_paths(const std::string& plan_path);

}  // namespace faultline
