#include "runner/plan/target_reader.h"

#include <algorithm>

#include "runner/core/suggest.h"

namespace faultline {

std::optional<ProcessSelector> read_target(NodeReader& reader, const YAML::Node& node,
                                           const std::string& label,
                                           const std::vector<ServiceSpec>& services) {
  ProcessSelector selector;
  int chosen = 0;
  size_t errors_before = reader.error_count();
  bool has_max = false;
  bool all_unchecked = false;  // written as ${var:X} without a value (LoadMode::to_check)
  for (const Field& field : reader.fields(
           node, {"service", "pidfile", "process", "all", "max", "user"}, label + " target")) {
    if (field.key == "all") {
      size_t missing_before = reader.missing_values_read();
      auto all = reader.boolean(field.value, label + " target all");
      all_unchecked = !all && reader.missing_values_read() != missing_before;
      selector.all = all.value_or(false);
      continue;
    }
    if (field.key == "max") {
      has_max = true;
      selector.max = static_cast<int>(
          reader.integer(field.value, label + " target max", 1, 100000).value_or(0));
      continue;
    }
    if (field.key == "user") {
      auto user = reader.text(field.value, label + " target user");
      if (user && user->empty()) reader.error(field.value, label + " target user is empty");
      selector.user = user.value_or("");
      continue;
    }
    ++chosen;
    // A service is looked up, so its name needs its value; paths and names are free text.
    auto value = field.key == "service"
                     ? reader.checkable_text(field.value, label + " target service")
                     : reader.text(field.value, label + " target " + field.key);
    if (!value) continue;
    if (field.key == "service") {
      selector.service = *value;
      std::vector<std::string> names;
      for (const auto& service : services) names.push_back(service.name);
      if (std::find(names.begin(), names.end(), *value) == names.end()) {
        reader.error(field.value, label + " targets service '" + *value +
                                      "', which the plan does not define" +
                                      did_you_mean(*value, names));
      }
    } else if (field.key == "pidfile") {
      selector.pidfile = *value;
    } else {
      selector.process = *value;
    }
  }
  if (node.IsMap() && chosen != 1 && reader.error_count() == errors_before) {
    reader.error(node, label + " target needs exactly one of service, pidfile or process");
  }
  // A service runs as the user running the drill; `user:` there would be ignored.
  if (!selector.user.empty() && !selector.service.empty() && node.IsMap()) {
    reader.error(node, label + " target: 'user' goes with 'pidfile' or 'process'");
  }
  if (selector.all && selector.process.empty() && node.IsMap()) {
    reader.error(node, label + " target: 'all' goes with 'process'");
  }
  // `all` on its own could reach every process of that name on the host.
  if (selector.all && !has_max && !selector.process.empty() && node.IsMap()) {
    reader.error(node, label +
                           " target: 'all: true' needs 'max: N', the most processes it may "
                           "act on (preflight refuses more)");
  }
  if (has_max && !selector.all && !all_unchecked && node.IsMap()) {
    reader.error(node, label + " target: 'max' goes with 'all: true'");
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return selector;
}

}  // namespace faultline
