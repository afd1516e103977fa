#pragma once
// `faultline recover`: undoes what killed runners left behind, from their journals.
// Idempotent: a journal is removed once everything in it is undone, and a second run
// finds nothing to do. Journals still locked by a live drill are left alone.
#include <string>
#include <vector>

#include "runner/core/registry.h"

namespace faultline {

struct RecoverReport {
  std::vector<std::string> lines;  // what was done, for the user
  int undone = 0;
  int failures = 0;
  int live_drills = 0;
};

RecoverReport recover_from_journals(const std::string& journal_dir, const Registry& registry);

}  // namespace faultline
