#pragma once
// The rollback journal's contract: what a drill writes before it changes anything, so
// that `faultline recover`, in another process after the runner died, can undo it.
// One JSON object per line (see runner/os/journal.h for the file itself):
//   {"op":"open", "drill": ID, "runner_pid": N, "at": UTC, "info": {plan, records, ...}}
//   {"op":"secrets", "values": [...]}     values recover must redact (the file is 0600)
//   {"op":"intent", "key", "type", "target", "what", "rollback", "at"}
//   {"op":"done", "key", "outcome": "undone"|"already_undone"|"failed", "ok", "detail", "at"}
//   {"op":"finished", "verdict", "exit_code", "at"}   the runner ended on its own and wrote
//                                         its record, but left something for recover
// An action is pending from its intent until a done line with ok=true. `type` names a
// RollbackType in the Registry, which undoes it from `rollback` alone.
#include <string>

#include "runner/core/json.h"

namespace faultline {

struct JournalAction {
  std::string key;     // unique within the drill, e.g. "fault/crash", "service/web/1234"
  std::string type;    // a RollbackType name
  std::string target;  // "local" or a host
  std::string what;    // human description, for recover's report (already redacted)
  Json rollback;       // everything the type's rollback needs
  std::string at;      // UTC time the intent was written
};

enum class JournalOutcome { undone, already_undone, failed };

std::string outcome_name(JournalOutcome outcome);

}  // namespace faultline
