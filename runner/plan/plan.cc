#include "runner/plan/plan.h"

namespace faultline {

int SteadyState::rounds_in_flight() const {
  if (max_in_flight > 0) return max_in_flight;
  for (const auto& spec : probes) {
    if (!spec.probe->cheap_to_overlap()) return 2;
  }
  return 64;
}

const ServiceSpec* Plan::service(const std::string& name) const {
  for (const auto& service : services) {
    if (service.name == name) return &service;
  }
  return nullptr;
}

std::string ProcessSelector::describe() const {
  std::string whose = user.empty() ? "" : " of user " + user;
  if (!service.empty()) return "service " + service;
  if (!pidfile.empty()) return "pidfile " + pidfile + whose;
  return "process " + process + whose + (all ? " (all, at most " + std::to_string(max) + ")" : "");
}

}  // namespace faultline
