#include "runner/plan/objective_kinds.h"

namespace faultline {

const std::vector<ObjectiveKind>& objective_kinds() {
  static const std::vector<ObjectiveKind> kinds{
      {"rto", ObjectiveUnit::ms, false, false, "recovery time"},
      {"rpo", ObjectiveUnit::ms, false, true, "data loss window"},
      {"availability", ObjectiveUnit::percent, true, false, "passing rounds"},
  };
  return kinds;
}

const ObjectiveKind* find_objective_kind(std::string_view name) {
  for (const auto& kind : objective_kinds()) {
    if (name == kind.name) return &kind;
  }
  return nullptr;
}

std::vector<std::string> objective_kind_names() {
  std::vector<std::string> names;
  for (const auto& kind : objective_kinds()) names.emplace_back(kind.name);
  return names;
}

const char* unit_name(ObjectiveUnit unit) { return unit == ObjectiveUnit::ms ? "ms" : "percent"; }

}  // namespace faultline
