#pragma once
// The one registry of fault, probe and rollback types. Built-in types and plugin types
// register the same way; the plan loader, the CLI's `types` and `recover` all look
// them up here.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runner/core/fault.h"
#include "runner/core/probe.h"

namespace faultline {

class Registry {
 public:
  Status add(std::unique_ptr<FaultType> type);
  Status add(std::unique_ptr<ProbeType> type);
  // A rollback type that is not a fault type (the runner's own journaled actions).
  Status add_rollback_type(std::unique_ptr<RollbackType> type);

  const FaultType* fault_type(const std::string& name) const;
  const ProbeType* probe_type(const std::string& name) const;
  // A fault type or another rollback type of that name.
  const RollbackType* rollback_type(const std::string& name) const;
  std::vector<std::string> fault_type_names() const;
  std::vector<std::string> probe_type_names() const;

 private:
  Status check_unused(const std::string& name) const;

  std::map<std::string, std::unique_ptr<FaultType>> faults_;
  std::map<std::string, std::unique_ptr<ProbeType>> probes_;
  std::map<std::string, std::unique_ptr<RollbackType>> rollbacks_;
};

}  // namespace faultline
