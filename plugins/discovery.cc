// Finding plugin files and registering what they declare (see plugins.h).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "plugins/lua/lua_plugin.h"
#include "plugins/plugin_type.h"
#include "plugins/plugins.h"

namespace faultline {
namespace {

bool is_lua(const std::string& path) { return std::filesystem::path(path).extension() == ".lua"; }

// Which file declares registered type `name` ("" for a built-in type).
template <class Type>
std::string declared_by(const Type* type) {
  if (auto plugin = dynamic_cast<const PluginType<Type>*>(type)) return plugin->file();
  return "";
}

std::string clash(const std::string& kind, const std::string& name, const std::string& first,
                  const std::string& second) {
  if (first.empty()) {
    return kind + " type '" + name + "' of plugin " + second +
           " has the name of a built-in type; rename it";
  }
  return kind + " type '" + name + "' is declared by two plugins: " + first + " and " + second +
         "; remove or rename one";
}

}  // namespace

std::vector<PluginDirectory> plugin_directories(const std::string& shipped, const std::string& home,
                                                const std::vector<std::string>& flags) {
  std::vector<PluginDirectory> dirs;
  if (!shipped.empty()) dirs.push_back({shipped, false});
  if (!home.empty()) dirs.push_back({home + "/plugins", false});
  if (const char* path = std::getenv("FAULTLINE_PLUGIN_PATH"); path && *path) {
    std::string list = path;
    for (size_t start = 0; start <= list.size();) {
      size_t end = std::min(list.find(':', start), list.size());
      if (end > start) dirs.push_back({list.substr(start, end - start), true});
      start = end + 1;
    }
  }
  for (const auto& flag : flags) dirs.push_back({flag, true});
  return dirs;
}

void PluginLoader::load_directory(const PluginDirectory& directory) {
  std::error_code ec;
  if (!directory.must_exist && !std::filesystem::exists(directory.path, ec)) return;
  std::vector<std::string> paths;
  // Incremented with an error_code: the throwing operator++ would end the runner.
  for (std::filesystem::directory_iterator it(directory.path, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code type_error;
    if (!it->is_regular_file(type_error)) continue;
    std::string path = it->path().string();
    if (is_lua(path) || ::access(path.c_str(), X_OK) == 0) {
      // Absolute, so that a journaled rollback names the same plugin from any cwd.
      paths.push_back(std::filesystem::absolute(it->path()).lexically_normal().string());
    }
  }
  if (ec) problems_.push_back("plugin directory " + directory.path + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) load_file(path);
}

void PluginLoader::load_path(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return load_directory({path, true});
  if (!std::filesystem::is_regular_file(path, ec)) {
    problems_.push_back("plugin " + path + ": no such file or folder");
    return;
  }
  load_file(std::filesystem::absolute(path).lexically_normal().string());
}

void PluginLoader::load_file(const std::string& path) {
  std::error_code ec;
  std::string canonical = std::filesystem::weakly_canonical(path, ec).string();
  if (ec) canonical = path;
  if (std::find(loaded_.begin(), loaded_.end(), canonical) != loaded_.end()) return;
  loaded_.push_back(canonical);
  auto types = is_lua(path) ? load_lua_plugin(path) : load_exec_plugin(path, target_);
  if (!types.ok()) {
    problems_.push_back("plugin " + path + ": " + types.error().message);
    return;
  }
  if (Status added = add_all(path, std::move(*types)); !added) {
    problems_.push_back(added.error().message);
  }
}

// All of a file's types, or none: a clash names both files.
Status PluginLoader::add_all(const std::string& path, PluginTypes types) {
  for (const auto& type : types.faults) {
    std::string name = type->name();
    if (const FaultType* existing = registry_.fault_type(name)) {
      return Error{ErrorCode::in_use, clash("fault", name, declared_by(existing), path)};
    }
    if (registry_.rollback_type(name)) {
      return Error{ErrorCode::in_use, clash("fault", name, "", path)};
    }
  }
  for (const auto& type : types.probes) {
    std::string name = type->name();
    if (const ProbeType* existing = registry_.probe_type(name)) {
      return Error{ErrorCode::in_use, clash("probe", name, declared_by(existing), path)};
    }
  }
  for (auto& type : types.faults) {
    if (Status added = registry_.add(std::move(type)); !added) return added;
  }
  for (auto& type : types.probes) {
    if (Status added = registry_.add(std::move(type)); !added) return added;
  }
  return {};
}

}  // namespace faultline
