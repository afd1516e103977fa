#include "runner/core/registry.h"

namespace faultline {

Status Registry::check_unused(const std::string& name) const {
  if (faults_.count(name) || rollbacks_.count(name)) {
    return Error{ErrorCode::in_use, "type '" + name + "' is registered twice"};
  }
  return {};
}

Status Registry::add(std::unique_ptr<FaultType> type) {
  std::string name = type->name();
  if (Status unused = check_unused(name); !unused) return unused;
  faults_[name] = std::move(type);
  return {};
}

Status Registry::add_rollback_type(std::unique_ptr<RollbackType> type) {
  std::string name = type->name();
  if (Status unused = check_unused(name); !unused) return unused;
  rollbacks_[name] = std::move(type);
  return {};
}

Status Registry::add(std::unique_ptr<ProbeType> type) {
  std::string name = type->name();
  if (probes_.count(name)) {
    return Error{ErrorCode::in_use, "probe type '" + name + "' is registered twice"};
  }
  probes_[name] = std::move(type);
  return {};
}

const FaultType* Registry::fault_type(const std::string& name) const {
  auto found = faults_.find(name);
  return found == faults_.end() ? nullptr : found->second.get();
}

const ProbeType* Registry::probe_type(const std::string& name) const {
  auto found = probes_.find(name);
  return found == probes_.end() ? nullptr : found->second.get();
}

const RollbackType* Registry::rollback_type(const std::string& name) const {
  if (const FaultType* fault = fault_type(name)) return fault;
  auto found = rollbacks_.find(name);
  return found == rollbacks_.end() ? nullptr : found->second.get();
}

std::vector<std::string> Registry::fault_type_names() const {
  std::vector<std::string> names;
  for (const auto& [name, type] : faults_) names.push_back(name);
  return names;
}

std::vector<std::string> Registry::probe_type_names() const {
  std::vector<std::string> names;
  for (const auto& [name, type] : probes_) names.push_back(name);
  return names;
}

}  // namespace faultline
