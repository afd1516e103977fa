#include "runner/plan/plan_plugins.h"

#include <filesystem>

#include "runner/os/files.h"
#include "runner/plan/source_checks.h"
#include "runner/plan/yaml_limits.h"

namespace faultline {

std::vector<std::string> plan_plugin_paths(const std::string& plan_path) {
  std::vector<std::string> paths;
  if (plan_path == "-") return paths;
  auto text = read_regular_file(plan_path, kMaxPlanBytes, "plan");
  if (!text.ok() || text->find("plugins") == std::string::npos) return paths;
  std::vector<Diagnostic> ignored;
  auto documents = parse_plan_documents(plan_path, *text, ignored);
  if (documents.size() != 1 || !documents[0].IsMap()) return paths;
  YAML::Node list = documents[0]["plugins"];
  if (!list.IsSequence()) return paths;
  std::filesystem::path folder = std::filesystem::absolute(plan_path).parent_path();
  for (const auto& item : list) {
    if (!item.IsScalar() || item.Scalar().empty()) continue;
    std::filesystem::path path(item.Scalar());
    paths.push_back((path.is_absolute() ? path : folder / path).lexically_normal().string());
  }
  return paths;
}

}  // namespace faultline
