#pragma once
// The plugin host. Plugins add fault and probe types to the same Registry the built-in
// types use, through one shared base (plugin_type.h), whichever host runs them:
//   - exec plugins: any executable speaking the protocol in README "Plugins";
//   - Lua plugins: *.lua files run by the sandboxed Lua 5.4 host (plugins/lua).
#include <memory>
#include <string>
#include <vector>

#include "runner/core/registry.h"

namespace faultline {

// The types one plugin file declares, not yet registered.
struct PluginTypes {
  std::vector<std::unique_ptr<FaultType>> faults;
  std::vector<std::unique_ptr<ProbeType>> probes;
};

// Asks an executable (through `target`) what it offers: `PLUGIN describe`.
Result<PluginTypes> load_exec_plugin(const std::string& path, Target& target);

// A folder to look for plugins in; one that need not exist is skipped quietly when it
// does not (the shipped folder, <home>/plugins).
struct PluginDirectory {
  std::string path;
  bool must_exist = true;
};

// The search path, in order: `shipped` (the plugins installed beside the binary), then
// <home>/plugins, then $FAULTLINE_PLUGIN_PATH (colon-separated), then each --plugins.
// Empty `shipped` or `home` are left out.
std::vector<PluginDirectory> plugin_directories(const std::string& shipped, const std::string& home,
                                                const std::vector<std::string>& flags);

// Loads plugin files into a Registry. A plugin that cannot be loaded is a problem that
// names it and why, and the others still load. A type name declared by two plugin
// files (or by a plugin and a built-in type) is a problem naming both; neither file's
// other types are affected. The same file reached twice is loaded once.
class PluginLoader {
 public:
  PluginLoader(Registry& registry, Target& target) : registry_(registry), target_(target) {}

  // Every *.lua file and every other executable regular file in the folder, by name.
  void load_directory(const PluginDirectory& directory);
  // One file (*.lua, or an executable), or a folder as load_directory.
  void load_path(const std::string& path);

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void load_file(const std::string& absolute_path);
  Status add_all(const std::string& path, PluginTypes types);

  Registry& registry_;
  Target& target_;
  std::vector<std::string> loaded_;
  std::vector<std::string> problems_;
};

}  // namespace faultline
