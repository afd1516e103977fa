#pragma once
// The drill record `faultline recover` writes for a drill whose runner died: verdict
// "interrupted", and what the journal knows (plan, start, faults injected, what the
// runner had already rolled back) beside what recover undid and what it could not.
// For a drill whose runner finished on its own but left something for recover (exit 4),
// the runner's record stands: this one is "<drill>-recovery", verdict "recovered" (or
// "rollback_failed" when recover could not undo everything either).
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/os/journal.h"

namespace faultline {

struct RecoveredAction {
  JournalAction action;
  std::string outcome;  // undone, already_undone, failed
  std::string detail;
};

Json interrupted_record(const std::string& journal_path, const JournalContents& journal,
                        const std::vector<RecoveredAction>& recovered);

}  // namespace faultline
