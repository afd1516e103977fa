#pragma once
// `faultline recover`: undoes what killed runners left behind, from their journals, and
// writes an "interrupted" drill record for each drill it cleans up, so that a SIGKILL
// leaves no gap in the audit trail. Idempotent: a journal is removed once everything in
// it is undone, and a second run finds nothing to do. Journals still locked by a live
// drill are left alone. Each journal, and each action in it, is handled on its own: one
// that cannot be read or undone never stops the others. A journal line that cannot be
// read counts as a failure and keeps its journal: it may have announced an action that
// is still in force.
#include <string>
#include <vector>

#include "runner/core/registry.h"

namespace faultline {

struct RecoverReport {
  std::vector<std::string> lines;  // what was done, for the user (redact before printing)
  int undone = 0;
  int already_gone = 0;
  int failures = 0;
  int live_drills = 0;
  std::vector<std::string> records;  // paths of the interrupted-drill records written
};

// `fallback_records_dir` takes a record whose journaled destination cannot be written.
RecoverReport recover_from_journals(const std::string& journal_dir, const Registry& registry,
                                    Target& target, const std::string& fallback_records_dir);

}  // namespace faultline
