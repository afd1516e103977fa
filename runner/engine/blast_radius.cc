#include "runner/engine/blast_radius.h"

#include <algorithm>

namespace faultline {

bool belongs_to_allowed_user(const ProcessInfo& process, const BlastRadiusRules& rules) {
  if (rules.allowed_user.empty()) return process.uid == rules.acting_uid;
  return process.user == rules.allowed_user || std::to_string(process.uid) == rules.allowed_user;
}

Status check_blast_radius(const ProcessInfo& process, const BlastRadiusRules& rules) {
  auto refuse = [&](const std::string& why) {
    return Error{ErrorCode::refused, process.describe() + " " + why};
  };
  if (process.id.pid == 1) return refuse("is pid 1 (init): never a fault target");
  if (process.kernel_thread) return refuse("is a kernel thread: never a fault target");
  const auto& lineage = rules.runner_lineage;
  auto found = std::find_if(lineage.begin(), lineage.end(),
                            [&](const ProcessId& id) { return id.pid == process.id.pid; });
  if (found == lineage.begin() && found != lineage.end()) {
    return refuse("is the faultline runner itself: faulting it would stop the drill");
  }
  if (found != lineage.end()) {
    return refuse(
        "is an ancestor of the faultline runner (its shell or supervisor): faulting "
        "it would stop the drill");
  }
  // Another drill's runner: pausing or killing it would leave its faults in force with
  // nobody to roll them back.
  if (process.name == "faultline") {
    return refuse("is a faultline runner: faulting it would leave its drill's faults in force");
  }
  if (!belongs_to_allowed_user(process, rules)) {
    if (rules.allowed_user.empty()) {
      return refuse("belongs to user " + process.user +
                    ", not to the user running the drill; add `user: " + process.user +
                    "` to the fault's target to allow it");
    }
    return refuse("belongs to user " + process.user + ", but the target allows only user " +
                  rules.allowed_user);
  }
  return {};
}

}  // namespace faultline
