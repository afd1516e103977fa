#include "runner/safety/recover.h"

#include <fmt/format.h>

#include "runner/core/journal.h"
#include "runner/engine/services.h"

namespace faultline {
namespace {

Status undo(const JournalAction& action, const Registry& registry, Target& target) {
  if (action.target != target.name()) {
    return Error{"target '" + action.target +
                 "' is not reachable from this faultline (only local targets exist yet)"};
  }
  if (action.type == "service") return stop_service_group(action.rollback);
  const FaultType* type = registry.fault_type(action.type);
  if (type == nullptr)
    return Error{"fault type '" + action.type +
                 "' is not registered here (is its plugin installed?)"};
  return type->rollback(action.rollback, target);
}

}  // namespace

RecoverReport recover_from_journals(const std::string& journal_dir, const Registry& registry) {
  RecoverReport report;
  auto target = make_local_target();
  for (const std::string& path : list_journals(journal_dir)) {
    auto journal = Journal::claim(path);
    if (!journal.ok()) {
      if (Journal::claim_error_in_use(journal.error())) {
        ++report.live_drills;
        report.lines.push_back("skipped " + path +
                               ": its drill is still running (stop it with SIGINT to roll back)");
      } else {
        ++report.failures;
        report.lines.push_back(journal.error().message);
      }
      continue;
    }
    auto pending = journal->pending();
    if (!pending.ok()) {
      ++report.failures;
      report.lines.push_back(pending.error().message);
      continue;
    }
    bool all_undone = true;
    // Faults first, in reverse order of injection, then the services they ran against.
    std::vector<JournalAction> ordered;
    for (auto it = pending->rbegin(); it != pending->rend(); ++it) {
      if (it->type != "service") ordered.push_back(*it);
    }
    for (auto it = pending->rbegin(); it != pending->rend(); ++it) {
      if (it->type == "service") ordered.push_back(*it);
    }
    for (const JournalAction& action : ordered) {
      Status undone = undo(action, registry, *target);
      (void)journal->record_done(action.key, undone.ok(),
                                 undone ? "recovered" : undone.error().message);
      if (undone) {
        ++report.undone;
        report.lines.push_back(
            fmt::format("drill {}: undid {} ({})", journal->drill_id(), action.key, action.what));
      } else {
        ++report.failures;
        all_undone = false;
        report.lines.push_back(fmt::format("drill {}: FAILED to undo {} ({}): {}",
                                           journal->drill_id(), action.key, action.what,
                                           undone.error().message));
      }
    }
    if (all_undone) {
      if (Status removed = journal->remove(); !removed)
        report.lines.push_back(removed.error().message);
    }
  }
  if (report.lines.empty()) report.lines.push_back("nothing to recover in " + journal_dir);
  return report;
}

}  // namespace faultline
