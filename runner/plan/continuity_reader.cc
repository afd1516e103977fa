#include "runner/plan/continuity_reader.h"

namespace faultline {
namespace {

const std::vector<std::string> kRoles = {"commander", "operator", "observer"};

Participant read_participant(NodeReader& reader, const YAML::Node& node) {
  Participant participant;
  for (const Field& field : reader.fields(node, {"name", "role"}, "participant")) {
    if (field.key == "name") participant.name = reader.text(field.value, "name").value_or("");
    if (field.key == "role") {
      participant.role = reader.checkable_text(field.value, "role").value_or("");
      if (!participant.role.empty() &&
          std::find(kRoles.begin(), kRoles.end(), participant.role) == kRoles.end()) {
        reader.error(field.value,
                     "role '" + participant.role + "' is not one of commander, operator, observer");
      }
    }
  }
  if (participant.name.empty()) reader.error(node, "a participant needs a name");
  return participant;
}

}  // namespace

Continuity read_continuity(NodeReader& reader, const YAML::Node& node) {
  Continuity continuity;
  const std::vector<std::string> keys = {"service",        "impact",       "scope",
                                         "emergency_plan", "participants", "tier"};
  for (const Field& field : reader.fields(node, keys, "continuity")) {
    if (field.key == "service") {
      continuity.service = reader.text(field.value, "service").value_or("");
    } else if (field.key == "impact") {
      continuity.impact = reader.text(field.value, "impact").value_or("");
    } else if (field.key == "tier") {
      continuity.tier = reader.text(field.value, "tier").value_or("");
    } else if (field.key == "scope") {
      for (const YAML::Node& item : reader.items(field.value, "scope")) {
        if (auto system = reader.text(item, "scope")) continuity.scope.push_back(*system);
      }
    } else if (field.key == "emergency_plan") {
      for (const Field& part : reader.fields(field.value, {"ref", "version"}, "emergency_plan")) {
        std::string value = reader.text(part.value, part.key).value_or("");
        (part.key == "ref" ? continuity.emergency_plan : continuity.emergency_plan_version) = value;
      }
    } else if (field.key == "participants") {
      for (const YAML::Node& item : reader.items(field.value, "participants")) {
        continuity.participants.push_back(read_participant(reader, item));
      }
    }
  }
  return continuity;
}

}  // namespace faultline
