#include "runner/engine/selection.h"

#include <fmt/format.h>

#include "runner/engine/blast_radius.h"

namespace faultline {
namespace {

BlastRadiusRules rules_for(const ProcessSelector& selector, Target& target) {
  return BlastRadiusRules{target.runner_lineage(), target.acting_uid(), selector.user};
}

Result<std::vector<ProcessInfo>> describe_all(const std::vector<ProcessId>& processes,
                                              Target& target) {
  std::vector<ProcessInfo> infos;
  for (const auto& process : processes) {
    auto info = target.describe_process(process);
    // Gone between finding and describing: it is not part of the selection any more.
    if (!info.ok()) continue;
    infos.push_back(*info);
  }
  return infos;
}

Status apply_rules(const std::vector<ProcessInfo>& processes, const BlastRadiusRules& rules) {
  std::string refused;
  for (const auto& process : processes) {
    if (Status allowed = check_blast_radius(process, rules); !allowed) {
      refused += (refused.empty() ? "" : "; ") + allowed.error().message;
    }
  }
  if (!refused.empty()) return Error{ErrorCode::refused, "refused: " + refused};
  return {};
}

}  // namespace

std::string describe_processes(const std::vector<ProcessInfo>& processes) {
  std::string out;
  for (const auto& process : processes) out += (out.empty() ? "" : "; ") + process.describe();
  return out;
}

std::vector<ProcessId> ids_of(const std::vector<ProcessInfo>& processes) {
  std::vector<ProcessId> ids;
  for (const auto& process : processes) ids.push_back(process.id);
  return ids;
}

Result<std::vector<ProcessInfo>> check_selected(const std::vector<ProcessId>& processes,
                                                const ProcessSelector& selector, Target& target) {
  auto infos = describe_all(processes, target);
  if (!infos.ok()) return infos.error();
  if (infos->empty()) {
    return Error{ErrorCode::gone, selector.describe() + ": its process has exited"};
  }
  if (Status allowed = apply_rules(*infos, rules_for(selector, target)); !allowed) {
    return allowed.error();
  }
  return infos;
}

Result<std::vector<ProcessInfo>> select_processes(const ProcessSelector& selector, Target& target) {
  BlastRadiusRules rules = rules_for(selector, target);
  std::vector<ProcessInfo> chosen;
  if (!selector.pidfile.empty()) {
    auto process = target.read_pidfile(selector.pidfile);
    if (!process.ok()) return process.error();
    auto infos = describe_all({*process}, target);
    if (!infos.ok()) return infos.error();
    chosen = *infos;
  } else {
    auto infos = describe_all(target.find_processes(selector.process), target);
    if (!infos.ok()) return infos.error();
    for (const auto& info : *infos) {
      // With `user:`, the selection is that user's processes of this name.
      if (selector.user.empty() || belongs_to_allowed_user(info, rules)) chosen.push_back(info);
    }
    std::string whose = selector.user.empty() ? "" : " of user " + selector.user;
    if (chosen.empty()) {
      return Error{ErrorCode::not_found,
                   "no process named '" + selector.process + "'" + whose + " on " + target.name()};
    }
    std::string pids;
    for (const auto& process : chosen) {
      pids += (pids.empty() ? "" : ", ") + std::to_string(process.id.pid);
    }
    if (chosen.size() > 1 && !selector.all) {
      return Error{ErrorCode::refused,
                   fmt::format("{} processes are named '{}'{} on {} (pids {}); add 'all: true' "
                               "and 'max: N' to the target to act on every one",
                               chosen.size(), selector.process, whose, target.name(), pids)};
    }
    if (selector.all && static_cast<int>(chosen.size()) > selector.max) {
      return Error{
          ErrorCode::refused,
          fmt::format("{} processes are named '{}'{} on {} (pids {}), more than the "
                      "target's max: {}",
                      chosen.size(), selector.process, whose, target.name(), pids, selector.max)};
    }
  }
  if (chosen.empty()) {
    return Error{ErrorCode::gone, selector.describe() + ": its process has exited"};
  }
  if (Status allowed = apply_rules(chosen, rules); !allowed) return allowed.error();
  return chosen;
}

}  // namespace faultline
